package dev.ledger.rest;

import dev.ledger.mapping.Cursor;
import dev.ledger.mapping.Direction;
import dev.ledger.problem.LedgerException;
import dev.ledger.problem.ProblemType;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.UUID;

/**
 * Parses path, query and header parameters itself, so that a malformed one is a 400 problem
 * naming the parameter (JAX-RS would answer 404 for an unconvertible path or query parameter).
 */
final class Params {

    private static final java.util.regex.Pattern CANONICAL_UUID =
            java.util.regex.Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

    private Params() {
    }

    static UUID uuid(String name, String raw) {
        if (raw == null || !CANONICAL_UUID.matcher(raw).matches()) {
            throw invalid(name, "must be a UUID such as 0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60");
        }
        return UUID.fromString(raw);
    }

    static UUID optionalUuid(String name, String raw) {
        return raw == null ? null : uuid(name, raw);
    }

    /** An RFC 3339 timestamp with an explicit offset, years 1 to 9999, or null when absent. */
    static OffsetDateTime instant(String name, String raw) {
        if (raw == null) {
            return null;
        }
        try {
            OffsetDateTime instant = OffsetDateTime.parse(raw, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            if (instant.getYear() >= 1 && instant.getYear() <= 9999) {
                return instant;
            }
        } catch (DateTimeParseException e) {
            // answered below
        }
        throw invalid(name, "must be an RFC 3339 timestamp with offset between years 1 and 9999, "
                + "such as 2026-01-31T12:00:00Z");
    }

    static long positiveLong(String name, String raw) {
        try {
            long value = Long.parseLong(raw);
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw invalid(name, "must be an integer from 1 to " + Long.MAX_VALUE);
    }

    static int limit(String raw, int defaultLimit, int maxLimit) {
        if (raw == null) {
            return defaultLimit;
        }
        try {
            int value = Integer.parseInt(raw);
            if (value >= 1 && value <= maxLimit) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw invalid("limit", "must be an integer from 1 to " + maxLimit);
    }

    static Direction direction(String raw) {
        if (raw == null) {
            return Direction.ALL;
        }
        for (Direction direction : Direction.values()) {
            if (direction.sqlName().equals(raw.toLowerCase(Locale.ROOT))) {
                return direction;
            }
        }
        throw invalid("direction", "must be in, out or all");
    }

    static Cursor cursor(String raw) {
        return raw == null ? null : Cursor.decode(raw);
    }

    /** The body's id, else the Idempotency-Key header; both present must agree. */
    static UUID idempotencyId(UUID bodyId, String header) {
        UUID headerId = optionalUuid("Idempotency-Key", header);
        if (bodyId != null && headerId != null && !bodyId.equals(headerId)) {
            throw invalid("Idempotency-Key", "differs from the body's id");
        }
        return bodyId != null ? bodyId : headerId;
    }

    private static LedgerException invalid(String name, String rule) {
        return new LedgerException(ProblemType.VALIDATION, name + " " + rule,
                java.util.Map.of("errors", java.util.List.of(java.util.Map.of("field", name, "message", rule))), null);
    }
}
