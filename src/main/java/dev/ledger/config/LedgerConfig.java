package dev.ledger.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The service's own limits; each is documented in application.properties. ConfigBounds bounds
 * each, so that a value that would stop a limit from limiting (a zero, a negative duration) stops
 * the service at start instead.
 */
@ConfigMapping(prefix = "ledger")
public interface LedgerConfig {

    /** The longest a request waits for the database, retries included. */
    @WithDefault("PT15S")
    Duration databaseTimeout();

    /** Readiness is DOWN when PostgreSQL does not answer a probe within this. */
    @WithDefault("PT2S")
    Duration readinessTimeout();

    Retry retry();

    Admission admission();

    Batch batch();

    Pages pages();

    Auth auth();

    Json json();

    /** Read by EmbeddedPostgresConfigSourceFactory before this mapping exists; declared here to document it. */
    EmbeddedPostgres embeddedPostgres();

    interface Retry {
        /** Attempts of a statement that failed transiently (deadlock, serialization failure). */
        @WithDefault("8")
        int maxAttempts();

        @WithDefault("PT0.002S")
        Duration backoffMin();

        @WithDefault("PT0.050S")
        Duration backoffMax();
    }

    /** Load shedding in front of every API route (see AdmissionControl). */
    interface Admission {
        /** Requests inside the service at once; the next one is answered 503 without queueing. */
        @WithDefault("128")
        int maxInFlight();

        /** An admitted request whose body has not fully arrived by then loses its connection. */
        @WithDefault("PT10S")
        Duration bodyTimeout();
    }

    /** Coalescing of concurrent transfer requests into one statement (see TransferBatcher). */
    interface Batch {
        /**
         * Transfers per statement, at most 1000 (post_transfers). Each holds three advisory locks
         * until commit (four past its credit lane's 64-bit share), and the lock table has room for
         * max_locks_per_transaction x max_connections (6,400 by default) across all sessions.
         */
        @WithDefault("64")
        int maxSize();

        @WithDefault("2")
        int maxInFlight();

        /**
         * While a statement runs, another starts only when at least this many transfers wait:
         * a statement's fixed cost in PostgreSQL is that of several transfers, so a short queue
         * is cheaper sent after the running statement, in one.
         */
        @WithDefault("32")
        int parallelMinSize();

        /** Requests waiting for a batch beyond this are refused with 503. */
        @WithDefault("4096")
        int maxQueued();
    }

    interface Pages {
        @WithDefault("50")
        int defaultLimit();

        /** At most ConfigBounds.MAX_PAGE_LIMIT, and default-limit at most this. */
        @WithDefault("1000")
        int maxLimit();
    }

    /** API keys (README.md, "API keys"). */
    interface Auth {
        /** Off only in dev and test by default; the service then warns at startup that it is open. */
        @WithDefault("true")
        boolean enabled();

        /**
         * An admin key stored (hashed) at startup when absent, so a new deployment can create the
         * other keys. At least {@link #MIN_BOOTSTRAP_KEY_CHARS} characters. Never logged.
         */
        Optional<String> bootstrapAdminKey();

        KeyCache cache();

        /** Below this, an unsalted SHA-256 of the key could be searched by brute force. */
        int MIN_BOOTSTRAP_KEY_CHARS = 32;
    }

    /** Verified keys kept in memory, so that a request costs no key lookup in the database. */
    interface KeyCache {
        /**
         * How long a verified key is trusted without asking the database: a key revoked through
         * another instance keeps working on this one for at most this long.
         */
        @WithDefault("PT30S")
        Duration ttl();

        @WithDefault("10000")
        int maxEntries();
    }

    interface Json {
        /** Objects and arrays inside one another in a request body, the body itself counting as one. */
        @WithDefault("32")
        int maxNestingDepth();
    }

    interface EmbeddedPostgres {
        /** Start an embedded PostgreSQL in dev and test when no database URL is configured. */
        @WithDefault("true")
        boolean enabled();

        /** Where the dev profile keeps its data between runs. */
        @WithDefault(".ledger/postgres")
        String dataDir();

        @WithDefault("54329")
        int port();
    }
}
