package dev.ledger.problem;

import io.vertx.pgclient.PgException;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Translates PostgreSQL's verdicts into problem types. The rules live in the database
 * (db/migration); their SQLSTATEs (class LG) are listed at transfer_append().
 */
public final class DatabaseErrors {

    /** Failures that a later attempt of the same statement may not meet. */
    private static final Set<String> TRANSIENT_SQLSTATES = Set.of(
            "40001", // serialization_failure
            "40P01"); // deadlock_detected

    /** Chains whose next position a stale snapshot can compute twice; retrying recomputes it. */
    private static final Set<String> RETRYABLE_UNIQUE_CONSTRAINTS = Set.of("transfer_pkey", "transfer_credit_lane_chain");

    private static final String API_KEY_NAME_UNIQUE = "api_key_name_unique";
    private static final String TRANSFER_ID_UNIQUE = "transfer_id_unique";

    /** CHECKs of db/migration a well-formed request can still break, in the words of its field. */
    private static final Map<String, Map<String, String>> FIELD_CHECKS = Map.of(
            "account_metadata_object", metadataRule(),
            "transfer_metadata_object", metadataRule());

    private DatabaseErrors() {
    }

    /** The answer to a request whose bound (ledger.database-timeout) passed before the database answered. */
    public static LedgerException noAnswerWithin(Duration timeout) {
        return new LedgerException(ProblemType.DATABASE_UNAVAILABLE, "The database did not answer within " + timeout);
    }

    public static boolean isTransient(Throwable failure) {
        return failure instanceof PgException pg && isTransient(pg.getSqlState(), pg.getConstraint());
    }

    private static boolean isTransient(String sqlState, String constraint) {
        return TRANSIENT_SQLSTATES.contains(sqlState)
                || ("23505".equals(sqlState) && RETRYABLE_UNIQUE_CONSTRAINTS.contains(constraint));
    }

    public static RuntimeException translate(Throwable failure) {
        if (failure instanceof LedgerException ledger) {
            return ledger;
        }
        if (!(failure instanceof PgException pg)) {
            // The cause (host, port, driver's words) goes to the log with the request id, not to clients.
            return new LedgerException(ProblemType.DATABASE_UNAVAILABLE, "The database could not be reached",
                    Map.of(), failure);
        }
        return translate(pg.getSqlState(), pg.getErrorMessage(), pg.getDetail(), pg.getConstraint(), failure);
    }

    /** PostgreSQL's error, as fields: one statement of a batch reports each item's error this way. */
    public static LedgerException translate(String state, String message, String detail, String constraint,
            Throwable cause) {
        return switch (state) {
            case "LG001" -> new LedgerException(ProblemType.ACCOUNT_NOT_FOUND, message);
            case "LG002" -> new LedgerException(ProblemType.CURRENCY_MISMATCH, message);
            case "LG003" -> new LedgerException(ProblemType.INSUFFICIENT_FUNDS, message,
                    detailNumber(detail, "balance"), cause);
            case "LG004" -> new LedgerException(ProblemType.INDEX_CONFLICT, message,
                    detailNumber(detail, "next_index"), cause);
            case "LG005" -> new LedgerException(ProblemType.IMMUTABLE, message);
            case "LG006" -> new LedgerException(ProblemType.NOT_FOUND, message);
            case "23505" -> API_KEY_NAME_UNIQUE.equals(constraint)
                    ? new LedgerException(ProblemType.NAME_TAKEN, "An API key with this name already exists")
                    // PostgreSQL's own words would name the index: the id of a new account's
                    // funding transfer, which is the account's id, was a transfer's already.
                    : TRANSFER_ID_UNIQUE.equals(constraint)
                    ? new LedgerException(ProblemType.IDEMPOTENCY_CONFLICT, "The id is already a transfer's. An "
                            + "account's funding transfer takes the account's id, so an account with an initial "
                            + "balance needs an id that no transfer has")
                    : new LedgerException(ProblemType.IDEMPOTENCY_CONFLICT, message);
            case "23514", "23502" -> checkViolation(message, constraint, cause);
            case "22003" -> new LedgerException(ProblemType.AMOUNT_OUT_OF_RANGE, message);
            case "40001", "40P01", "55P03", "57014" ->
                    new LedgerException(ProblemType.DATABASE_BUSY, message, Map.of(), cause);
            default -> byClass(state, message, cause);
        };
    }

    private static LedgerException checkViolation(String message, String constraint, Throwable cause) {
        if (constraint == null) {
            return new LedgerException(ProblemType.VALIDATION, message, Map.of(), cause);
        }
        Map<String, String> error = FIELD_CHECKS.get(constraint);
        if (error == null) {
            return new LedgerException(ProblemType.VALIDATION, message, Map.of("constraint", constraint), cause);
        }
        return new LedgerException(ProblemType.VALIDATION, error.get("field") + " " + error.get("message"),
                Map.of("constraint", constraint, "errors", List.of(error)), cause);
    }

    /** octet_length(metadata::text) <= 4096: PostgreSQL's own printing, with a space after ':' and ','. */
    private static Map<String, String> metadataRule() {
        return Map.of("field", "metadata", "message", "must be a JSON object of at most 4096 bytes as PostgreSQL prints it");
    }

    private static LedgerException byClass(String state, String message, Throwable failure) {
        return switch (state.substring(0, 2)) {
            // Data exceptions: text with NUL, an instant out of range, a bad parameter value.
            case "22" -> new LedgerException(ProblemType.VALIDATION, message, Map.of(), failure);
            // Connection, resources, operator intervention (shutdown, cancel).
            case "08", "53", "57" -> new LedgerException(ProblemType.DATABASE_UNAVAILABLE, message, Map.of(), failure);
            default -> new LedgerException(ProblemType.INTERNAL, "Unexpected database error " + state, Map.of(), failure);
        };
    }

    /** The rules report numbers as {@code name=value} in the error's DETAIL. */
    private static Map<String, Object> detailNumber(String detail, String name) {
        String prefix = name + "=";
        if (detail == null || !detail.startsWith(prefix)) {
            return Map.of();
        }
        return Map.of(name, Long.parseLong(detail.substring(prefix.length())));
    }
}
