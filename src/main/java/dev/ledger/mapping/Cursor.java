package dev.ledger.mapping;

import dev.ledger.problem.LedgerException;
import dev.ledger.problem.ProblemType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/**
 * Keyset position in an account's transfer list: the (created_at, source, index) of the last
 * item served. Opaque to clients (base64url), stable while new transfers arrive.
 */
public record Cursor(OffsetDateTime createdAt, UUID source, long index) {

    public static Cursor after(Transfer transfer) {
        return new Cursor(transfer.createdAt(), transfer.source(), transfer.index());
    }

    public String encode() {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt.toInstant());
        String plain = micros + "," + source + "," + index;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    public static Cursor decode(String encoded) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
            String[] parts = plain.split(",", -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException("expected three parts");
            }
            Instant at = Instant.EPOCH.plus(Long.parseLong(parts[0]), ChronoUnit.MICROS);
            long index = Long.parseLong(parts[2]);
            if (index < 1 || at.isBefore(Instant.EPOCH) || at.isAfter(Instant.parse("9999-12-31T23:59:59Z"))) {
                throw new IllegalArgumentException("out of range");
            }
            return new Cursor(at.atOffset(ZoneOffset.UTC), UUID.fromString(parts[1]), index);
        } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
            throw new LedgerException(ProblemType.VALIDATION, "cursor is not one this service issued");
        }
    }
}
