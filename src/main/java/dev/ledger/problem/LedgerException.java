package dev.ledger.problem;

import java.util.Map;

/** A request that cannot be served, with the problem type that tells the client why. */
public final class LedgerException extends RuntimeException {

    private final ProblemType type;
    private final Map<String, Object> extensions;

    public LedgerException(ProblemType type, String detail) {
        this(type, detail, Map.of(), null);
    }

    public LedgerException(ProblemType type, String detail, Map<String, Object> extensions, Throwable cause) {
        super(detail, cause);
        this.type = type;
        this.extensions = Map.copyOf(extensions);
    }

    /**
     * The same failure, telling the client which id to retry with when the outcome is unknown
     * (a 5xx: the write may or may not have committed).
     */
    public LedgerException withRetryId(java.util.UUID id) {
        if (type.status() < 500) {
            return this;
        }
        Map<String, Object> withId = new java.util.HashMap<>(extensions);
        withId.put("id", id.toString());
        return new LedgerException(type, getMessage(), withId, getCause());
    }

    public ProblemType type() {
        return type;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }
}
