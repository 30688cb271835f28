package dev.ledger.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every limit's bounds, on a configuration built as Quarkus builds it (SmallRye Config, the
 * mapping and ConfigBounds as a customizer), one value at a time. ConfigBoundsIT checks that the
 * packaged service really stops on some of them.
 */
class ConfigBoundsTest {

    @Test
    void theDefaultsAreWithinBounds() {
        assertEquals(List.of(), ConfigBounds.problems(build(Map.of()).getConfigMapping(LedgerConfig.class)));
    }

    @ParameterizedTest
    @CsvSource({
        "ledger.database-timeout,          PT0S",
        "ledger.readiness-timeout,         -PT1S",
        "ledger.retry.max-attempts,        0",
        "ledger.retry.backoff-min,         PT0S",
        "ledger.retry.backoff-max,         PT0.001S",
        "ledger.admission.max-in-flight,   0",
        "ledger.admission.body-timeout,    PT0S",
        "ledger.batch.max-size,            1001",
        "ledger.batch.max-size,            0",
        "ledger.batch.max-in-flight,       0",
        "ledger.batch.parallel-min-size,   0",
        "ledger.batch.max-queued,          0",
        "ledger.pages.max-limit,           10001",
        "ledger.pages.default-limit,       0",
        "ledger.pages.default-limit,       1001",
        "ledger.auth.cache.ttl,            -PT1S",
        "ledger.auth.cache.max-entries,    -1",
        "ledger.json.max-nesting-depth,    0",
        "ledger.embedded-postgres.port,    65536",
    })
    void aValueOutOfBoundsStopsTheBuildNamingItsSetting(String setting, String value) {
        ConfigValidationException refused = assertThrows(ConfigValidationException.class,
                () -> build(Map.of(setting, value)));
        assertEquals(1, refused.getProblemCount(), refused.getMessage());
        assertTrue(refused.getProblem(0).getMessage().startsWith(setting + "="), refused.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
        "ledger.batch.max-size,            1000",
        "ledger.pages.max-limit,           10000",
        "ledger.retry.backoff-min,         PT0.050S",
        "ledger.auth.cache.ttl,            PT0S",
        "ledger.auth.cache.max-entries,    0",
    })
    void aValueOnItsBoundIsAccepted(String setting, String value) {
        assertEquals(value, build(Map.of(setting, value)).getRawValue(setting));
    }

    private static SmallRyeConfig build(Map<String, String> values) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(values, "test", 500))
                .withMapping(LedgerConfig.class)
                .withCustomizers(new ConfigBounds())
                .build();
    }
}
