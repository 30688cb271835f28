package dev.ledger;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Authentication as in production, with a bootstrap admin key, a short key cache (so that a
 * revocation through "another instance" shows within a test) and the log also written to a file
 * as JSON lines, which the tests read.
 */
public class AuthOn implements QuarkusTestProfile {

    /** Never logged, never stored: the tests check both. */
    public static final String BOOTSTRAP_KEY = "ldg_test_bootstrap_8c1f0e6a5b4d3c2b1a09f8e7d6c5b4a3";
    /** "bootstrap-" and the first 8 hex digits of the key's SHA-256. */
    public static final String BOOTSTRAP_KEY_NAME = "bootstrap-6b4d9c5a";
    public static final long CACHE_TTL_MILLIS = 1_000;
    public static final String LOG_FILE = "target/auth-test.log";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "ledger.auth.enabled", "true",
                "ledger.auth.bootstrap-admin-key", BOOTSTRAP_KEY,
                "ledger.auth.cache.ttl", "PT" + CACHE_TTL_MILLIS / 1000.0 + "S",
                "quarkus.log.file.enabled", "true",
                "quarkus.log.file.path", LOG_FILE,
                "quarkus.log.file.json.enabled", "true");
    }
}
