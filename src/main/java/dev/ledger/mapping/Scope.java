package dev.ledger.mapping;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/** What an API key may do; each scope includes the ones before it. */
public enum Scope {
    /** GET only. */
    @JsonProperty("read") READ,
    /** Also opens accounts and posts transfers. */
    @JsonProperty("write") WRITE,
    /** Also creates, lists and revokes API keys. */
    @JsonProperty("admin") ADMIN;

    public boolean includes(Scope required) {
        return compareTo(required) >= 0;
    }

    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Scope ofSqlName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
