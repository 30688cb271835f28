package dev.ledger.config;

import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.ConfigValidator;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.SmallRyeConfigBuilderCustomizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The bounds of every LedgerConfig limit, checked while the configuration is built, before
 * anything starts. A value that would stop a limit from limiting (a zero, a negative duration, a
 * default page above the largest) stops the service at start, naming the setting (ConfigBoundsIT).
 *
 * <p>Checked here rather than with Bean Validation annotations on LedgerConfig: one constrained
 * mapping makes Quarkus build a validator over all of its ~150 configuration mappings at start,
 * about 1 s of CPU in a start bound by the CPU (docs/benchmarks.md, record N). Registered in
 * META-INF/services, so that it runs wherever Quarkus builds the configuration.
 */
public final class ConfigBounds implements SmallRyeConfigBuilderCustomizer, ConfigValidator {

    /** Mutiny refuses a zero backoff; a zero backoff-min failed every statement with a 500. */
    public static final Duration MIN_BACKOFF = Duration.ofMillis(1);
    /** A zero timeout would fail every statement or request at once. */
    static final Duration MIN_TIMEOUT = Duration.ofMillis(1);
    /** post_transfers takes at most 1000 items: each holds up to three advisory locks until commit. */
    public static final int MAX_BATCH_SIZE = 1000;
    /** A page is read in one statement and held in memory; limit + 1 must also fit an int. */
    public static final int MAX_PAGE_LIMIT = 10_000;
    static final int MAX_PORT = 65_535;

    @Override
    public void configBuilder(SmallRyeConfigBuilder builder) {
        builder.withValidator(this);
    }

    @Override
    public void validateMapping(Class<?> mappingClass, String prefix, Object mappingObject) {
        if (!(mappingObject instanceof LedgerConfig config)) {
            return;
        }
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new ConfigValidationException(
                    problems.stream().map(ConfigValidationException.Problem::new)
                            .toArray(ConfigValidationException.Problem[]::new));
        }
    }

    /** Every bound that {@code config} breaks, each naming its setting; empty when it breaks none. */
    public static List<String> problems(LedgerConfig config) {
        Problems problems = new Problems();
        problems.atLeast("ledger.database-timeout", config.databaseTimeout(), MIN_TIMEOUT);
        problems.atLeast("ledger.readiness-timeout", config.readinessTimeout(), MIN_TIMEOUT);

        LedgerConfig.Retry retry = config.retry();
        problems.between("ledger.retry.max-attempts", retry.maxAttempts(), 1, Integer.MAX_VALUE);
        problems.atLeast("ledger.retry.backoff-min", retry.backoffMin(), MIN_BACKOFF);
        problems.atLeast("ledger.retry.backoff-max", retry.backoffMax(), retry.backoffMin());

        LedgerConfig.Admission admission = config.admission();
        problems.between("ledger.admission.max-in-flight", admission.maxInFlight(), 1, Integer.MAX_VALUE);
        problems.atLeast("ledger.admission.body-timeout", admission.bodyTimeout(), MIN_TIMEOUT);

        LedgerConfig.Batch batch = config.batch();
        problems.between("ledger.batch.max-size", batch.maxSize(), 1, MAX_BATCH_SIZE);
        problems.between("ledger.batch.max-in-flight", batch.maxInFlight(), 1, Integer.MAX_VALUE);
        problems.between("ledger.batch.parallel-min-size", batch.parallelMinSize(), 1, Integer.MAX_VALUE);
        problems.between("ledger.batch.max-queued", batch.maxQueued(), 1, Integer.MAX_VALUE);

        LedgerConfig.Pages pages = config.pages();
        problems.between("ledger.pages.max-limit", pages.maxLimit(), 1, MAX_PAGE_LIMIT);
        problems.between("ledger.pages.default-limit", pages.defaultLimit(), 1, pages.maxLimit());

        LedgerConfig.KeyCache cache = config.auth().cache();
        problems.atLeast("ledger.auth.cache.ttl", cache.ttl(), Duration.ZERO);
        problems.between("ledger.auth.cache.max-entries", cache.maxEntries(), 0, Integer.MAX_VALUE);

        problems.between("ledger.json.max-nesting-depth", config.json().maxNestingDepth(), 1, Integer.MAX_VALUE);
        problems.between("ledger.embedded-postgres.port", config.embeddedPostgres().port(), 1, MAX_PORT);
        return problems.found;
    }

    private static final class Problems {
        final List<String> found = new ArrayList<>();

        void between(String setting, int value, int min, int max) {
            if (value < min || value > max) {
                found.add(setting + "=" + value + " is outside its bounds: it must be from " + min + " to " + max);
            }
        }

        void atLeast(String setting, Duration value, Duration min) {
            if (value.compareTo(min) < 0) {
                found.add(setting + "=" + value + " is outside its bounds: it must be at least " + min);
            }
        }
    }
}
