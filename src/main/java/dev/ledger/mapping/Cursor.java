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
 * Keyset position in one list: the (created_at, source, index) of the last item served, and the
 * account and direction of the list it was served from. Opaque to clients (base64url), stable
 * while new transfers arrive. The list travels with the position because a position is only
 * meaningful in its own list: another account's cursor would give a valid but arbitrary page.
 */
public record Cursor(OffsetDateTime createdAt, UUID source, long index, UUID account, Direction direction) {

    private static final int PARTS = 5;

    public static Cursor after(Transfer transfer, UUID account, Direction direction) {
        return new Cursor(transfer.createdAt(), transfer.source(), transfer.index(), account, direction);
    }

    public boolean lists(UUID account, Direction direction) {
        return this.account.equals(account) && this.direction == direction;
    }

    public String encode() {
        // Not ChronoUnit.MICROS.between: it counts in nanoseconds, which overflow after 2262, and
        // decode() accepts positions up to the year 9999.
        Instant at = createdAt.toInstant();
        long micros = Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1_000);
        String plain = micros + "," + source + "," + index + "," + account + "," + direction.sqlName();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    public static Cursor decode(String encoded) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
            String[] parts = plain.split(",", -1);
            if (parts.length != PARTS) {
                throw new IllegalArgumentException("expected " + PARTS + " parts");
            }
            Instant at = Instant.EPOCH.plus(Long.parseLong(parts[0]), ChronoUnit.MICROS);
            long index = Long.parseLong(parts[2]);
            if (index < 1 || at.isBefore(Instant.EPOCH) || at.isAfter(Instant.parse("9999-12-31T23:59:59Z"))) {
                throw new IllegalArgumentException("out of range");
            }
            // valueOf takes only the upper-case constant; encode() wrote the lower-case name.
            Direction direction = Direction.valueOf(parts[4].toUpperCase(java.util.Locale.ROOT));
            return new Cursor(at.atOffset(ZoneOffset.UTC), UUID.fromString(parts[1]), index,
                    UUID.fromString(parts[3]), direction);
        } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
            throw new LedgerException(ProblemType.VALIDATION, "cursor is not one this service issued");
        }
    }
}
