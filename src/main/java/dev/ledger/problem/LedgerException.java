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

    public ProblemType type() {
        return type;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }
}
