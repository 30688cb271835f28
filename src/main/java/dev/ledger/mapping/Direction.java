package dev.ledger.mapping;

/** Which transfers of an account to list. */
public enum Direction {
    IN, OUT, ALL;

    public String sqlName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
