package dev.ledger.it;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A limit set outside its bounds (ConfigBounds) stops the packaged service at start, naming the
 * setting, instead of leaving it to run without the limit: a batcher that never sends, an
 * admission that refuses everything, a statement that times out at once.
 */
class ConfigBoundsIT {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    /** Config is validated before anything else starts; a JVM gets there in a few seconds. */
    private static final long EXIT_LIMIT_SECONDS = 60;

    @TempDir
    Path work;

    @ParameterizedTest
    @CsvSource({
        "LEDGER_BATCH_MAX_SIZE,          1001, ledger.batch.max-size",
        "LEDGER_BATCH_PARALLEL_MIN_SIZE, 0,    ledger.batch.parallel-min-size",
        "LEDGER_ADMISSION_MAX_IN_FLIGHT, 0,    ledger.admission.max-in-flight",
        "LEDGER_DATABASE_TIMEOUT,        PT0S, ledger.database-timeout",
        "LEDGER_PAGES_DEFAULT_LIMIT,     2000, ledger.pages.default-limit",
    })
    void aLimitOutOfBoundsStopsTheServiceAtStart(String variable, String value, String setting) throws Exception {
        assumeTrue(Files.exists(JAR), "the fast-jar is packaged (not a native build)");
        Path output = work.resolve("output.txt");
        ProcessBuilder launch = new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"), "-jar", JAR.toAbsolutePath().toString())
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
        // The prod profile needs a database role to get past config validation; the limit is then its only error.
        launch.environment().put("QUARKUS_DATASOURCE_USERNAME", "ledger_service");
        launch.environment().put(variable, value);
        Process service = launch.start();
        try {
            assertTrue(service.waitFor(EXIT_LIMIT_SECONDS, TimeUnit.SECONDS), "the service did not stop at start");
        } finally {
            service.destroyForcibly();
        }
        String log = Files.readString(output);
        assertNotEquals(0, service.exitValue(), log);
        assertTrue(log.contains(setting), "the error does not name " + setting + ":\n" + log);
    }
}
