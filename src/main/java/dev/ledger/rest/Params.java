package dev.ledger.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.config.JacksonConfig;
import dev.ledger.mapping.Cursor;
import dev.ledger.mapping.Direction;
import dev.ledger.problem.LedgerException;
import dev.ledger.problem.ProblemType;
import jakarta.ws.rs.core.HttpHeaders;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Parses path, query and header parameters itself, so that a malformed one is a 400 problem
 * naming the parameter (JAX-RS would answer 404 for an unconvertible path or query parameter),
 * and checks the body's text where Bean Validation cannot say what is wrong.
 */
final class Params {

    private static final String TEXT_RULE = "keys and strings must be Unicode text without NUL characters";

    private static final String NUMBER_RULE = "numbers must have at most " + JacksonConfig.MAX_NUMBER_LENGTH
            + " characters written out in full, as PostgreSQL prints them";

    /** ASCII digits only: Long.parseLong would also take "+1", "007" and other scripts' digits. */
    private static final Pattern POSITIVE_DECIMAL = Pattern.compile("^[1-9][0-9]{0,18}$");

    /**
     * RFC 3339's date-time (section 5.6): seconds required, a fraction of up to 9 digits, an
     * offset or Z, and T and Z in either case. ISO_OFFSET_DATE_TIME would also take 12:00Z.
     */
    private static final DateTimeFormatter RFC_3339 = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2).appendLiteral(':')
            .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .appendOffset("+HH:MM", "Z")
            .toFormatter()
            .withResolverStyle(ResolverStyle.STRICT);

    /** A leap second, which RFC 3339 allows in the last minute of an hour: HH:59:60. */
    private static final Pattern LEAP_SECOND =
            Pattern.compile("(?<=T\\d{2}:59:)60(?=[.Z+-])", Pattern.CASE_INSENSITIVE);

    private Params() {
    }

    static UUID uuid(String name, String raw) {
        UUID id = raw == null ? null : JacksonConfig.uuidOrNull(raw);
        if (id == null) {
            throw invalid(name, "must be " + JacksonConfig.expected(UUID.class));
        }
        return id;
    }

    /** 1 to {@code max} UUIDs separated by commas; a bad one is named by its place: {@code account_ids[3]}. */
    static List<UUID> uuids(String name, String raw, int max) {
        String rule = "must be 1 to " + max + " account ids separated by commas";
        if (raw == null) {
            throw invalid(name, rule);
        }
        String[] items = raw.split(",", -1);
        if (items.length > max) {
            throw invalid(name, rule + ", not " + items.length);
        }
        List<UUID> ids = new ArrayList<>(items.length);
        for (int i = 0; i < items.length; i++) {
            ids.add(uuid(name + "[" + i + "]", items[i]));
        }
        return ids;
    }

    static UUID optionalUuid(String name, String raw) {
        return raw == null ? null : uuid(name, raw);
    }

    /** An RFC 3339 timestamp with an explicit offset, of an instant in years 1 to 9999 UTC, or null when absent. */
    static OffsetDateTime instant(String name, String raw) {
        if (raw == null) {
            return null;
        }
        try {
            // Java has no 60th second: a leap second is the next minute's first, as PostgreSQL reads it.
            boolean leap = LEAP_SECOND.matcher(raw).find();
            OffsetDateTime instant = leap
                    ? OffsetDateTime.parse(LEAP_SECOND.matcher(raw).replaceFirst("59"), RFC_3339).plusSeconds(1)
                    : OffsetDateTime.parse(raw, RFC_3339);
            // The instant's year, which is what the answer echoes: 0001-01-01T00:00:00+18:00 is in year 0.
            int utcYear = instant.withOffsetSameInstant(ZoneOffset.UTC).getYear();
            if (utcYear >= 1 && utcYear <= 9999) {
                return instant;
            }
        } catch (DateTimeException e) {
            // Unparseable, or an instant Java cannot shift to UTC (-999999999-01-01T00:00:00+18:00):
            // answered below
        }
        throw invalid(name, "must be an RFC 3339 timestamp with offset, of an instant in years 1 to 9999 UTC, "
                + "such as 2026-01-31T12:00:00Z");
    }

    static long positiveLong(String name, String raw) {
        return decimal(name, raw, Long.MAX_VALUE);
    }

    static int limit(String raw, int defaultLimit, int maxLimit) {
        return raw == null ? defaultLimit : (int) decimal("limit", raw, maxLimit);
    }

    private static long decimal(String name, String raw, long max) {
        try {
            long value = raw != null && POSITIVE_DECIMAL.matcher(raw).matches() ? Long.parseLong(raw) : 0;
            if (value >= 1 && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // beyond 64 bits: answered below
        }
        throw invalid(name, "must be an integer from 1 to " + max + ", in ASCII digits");
    }

    static Direction direction(String raw) {
        if (raw == null) {
            return Direction.ALL;
        }
        for (Direction direction : Direction.values()) {
            // Exactly as documented, as a body's kind and scope are: "IN" is refused, not guessed.
            if (direction.sqlName().equals(raw)) {
                return direction;
            }
        }
        throw invalid("direction", "must be in, out or all");
    }

    /**
     * Exactly as this service wrote it (a cursor that decodes but is spelled otherwise was not
     * issued here), and for the list it came from.
     */
    static Cursor cursor(String raw, UUID account, Direction direction) {
        if (raw == null) {
            return null;
        }
        Cursor cursor = Cursor.decode(raw);
        if (!cursor.encode().equals(raw)) {
            throw invalid("cursor", "is not one this service issued");
        }
        if (!cursor.lists(account, direction)) {
            throw invalid("cursor", "belongs to another account's list or another direction; "
                    + "pass the next_cursor of this list, or none for its first page");
        }
        return cursor;
    }

    /**
     * Shown to people and printed on statements: no control characters (a line break or an ANSI
     * escape could forge lines), and no unpaired surrogate, which would be stored as "?".
     */
    static void description(String field, String text) {
        if (text != null && text.codePoints().anyMatch(c -> Character.getType(c) == Character.CONTROL
                || Character.getType(c) == Character.SURROGATE)) {
            throw invalid(field, "must be Unicode text without control characters");
        }
    }

    static void metadata(ObjectNode metadata) {
        metadata("metadata", metadata);
    }

    /**
     * Free-form, but storable and answered as sent: PostgreSQL refuses NUL, an unpaired surrogate
     * would become "?", and a number is read back as PostgreSQL prints it, every digit written
     * out (1e400 has 401), which the service reads up to JacksonConfig.MAX_NUMBER_LENGTH.
     */
    static void metadata(String field, ObjectNode metadata) {
        String broken = metadata == null ? null : broken(metadata);
        if (broken != null) {
            throw invalid(field, broken);
        }
    }

    /** The rule this node breaks, or null. */
    private static String broken(JsonNode node) {
        if (node.isTextual()) {
            return storable(node.textValue()) ? null : TEXT_RULE;
        }
        if (node.isNumber()) {
            return plainLength(node.decimalValue()) <= JacksonConfig.MAX_NUMBER_LENGTH ? null : NUMBER_RULE;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            if (!storable(names.next())) {
                return TEXT_RULE;
            }
        }
        // The values of an object, the elements of an array.
        for (JsonNode child : node) {
            String broken = broken(child);
            if (broken != null) {
                return broken;
            }
        }
        return null;
    }

    /**
     * Characters of the number in plain notation, sign and point included, as PostgreSQL prints
     * it and V15's CHECK counts it, without writing 1e999999999 out.
     */
    private static long plainLength(BigDecimal number) {
        long precision = number.precision();
        long scale = number.scale();
        long digits = Math.max(Math.max(precision, precision - scale), scale + 1);
        return digits + (scale > 0 ? 1 : 0) + (number.signum() < 0 ? 1 : 0);
    }

    private static boolean storable(String text) {
        return text.codePoints().noneMatch(c -> c == 0 || Character.getType(c) == Character.SURROGATE);
    }

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    /** Refused, not ignored, where a key cannot make a retry safe: the client would believe it does. */
    static void refuseIdempotencyKey(HttpHeaders headers, String why) {
        if (headers.getHeaderString(IDEMPOTENCY_KEY) != null) {
            throw invalid(IDEMPOTENCY_KEY, "does not apply " + why);
        }
    }

    /** The body's id, else the Idempotency-Key header; both present must agree. */
    static UUID idempotencyId(UUID bodyId, String header) {
        UUID headerId = optionalUuid(IDEMPOTENCY_KEY, header);
        if (bodyId != null && headerId != null && !bodyId.equals(headerId)) {
            throw invalid(IDEMPOTENCY_KEY, "differs from the body's id");
        }
        return bodyId != null ? bodyId : headerId;
    }

    static LedgerException invalid(String name, String rule) {
        return new LedgerException(ProblemType.VALIDATION, name + " " + rule,
                Map.of("errors", List.of(Map.of("field", name, "message", rule))), null);
    }
}
