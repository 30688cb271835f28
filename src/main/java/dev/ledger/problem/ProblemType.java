package dev.ledger.problem;

import java.net.URI;

/**
 * Every way a request can fail, each with a stable machine-readable type (RFC 9457) that
 * clients may branch on, and the HTTP status it is answered with.
 */
public enum ProblemType {
    VALIDATION(400, "validation", "The request is not valid"),
    UNAUTHORIZED(401, "unauthorized", "A valid API key is required"),
    FORBIDDEN(403, "forbidden", "The API key's scope does not allow this request"),
    NOT_FOUND(404, "not-found", "No such resource"),
    ACCOUNT_NOT_FOUND(404, "account-not-found", "An account of the transfer does not exist"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed on this resource"),
    NOT_ACCEPTABLE(406, "not-acceptable", "No acceptable representation"),
    INDEX_CONFLICT(409, "index-conflict", "The source's next index is not the expected one"),
    IDEMPOTENCY_CONFLICT(409, "idempotency-conflict", "The id was already used for a different request"),
    IMMUTABLE(409, "immutable", "The ledger is append-only"),
    NAME_TAKEN(409, "name-taken", "The name is already taken"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "The request body is too large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "The request body must be application/json"),
    EXPECTATION_FAILED(417, "expectation-failed", "The only expectation supported is 100-continue"),
    INSUFFICIENT_FUNDS(422, "insufficient-funds", "The source's balance is below the amount"),
    CURRENCY_MISMATCH(422, "currency-mismatch", "Source and destination hold different currencies"),
    AMOUNT_OUT_OF_RANGE(422, "amount-out-of-range", "An account total would exceed the 64-bit range"),
    OVERLOADED(503, "overloaded", "The service is at its concurrency limit; retry"),
    DATABASE_BUSY(503, "database-busy", "The database is busy; retry"),
    DATABASE_UNAVAILABLE(503, "database-unavailable", "The database is unavailable; retry"),
    SHUTTING_DOWN(503, "shutting-down", "The service is shutting down; retry"),
    INTERNAL(500, "internal", "Internal error");

    private static final String TYPE_PREFIX = "urn:ledger:problem:";

    private final int status;
    private final String slug;
    private final String title;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    /** The last part of the type, e.g. insufficient-funds: short enough for a metric tag. */
    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public URI type() {
        return URI.create(TYPE_PREFIX + slug);
    }

    /**
     * The type of a failure the framework reports only by HTTP status (unknown route, wrong method
     * or media type, body too large). Ledger causes such as index-conflict are never guessed from
     * a status: they come from the database's own error codes.
     */
    public static ProblemType ofStatus(int status) {
        return switch (status) {
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 417 -> EXPECTATION_FAILED;
            default -> status >= 500 ? INTERNAL : VALIDATION;
        };
    }
}
