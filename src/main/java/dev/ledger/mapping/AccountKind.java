package dev.ledger.mapping;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum AccountKind {
    /** May never go below zero. */
    @JsonProperty("regular") REGULAR,
    /** May go negative: the origin of money in its currency. */
    @JsonProperty("issuer") ISSUER;

    public String sqlName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static AccountKind ofSqlName(String name) {
        return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
}
