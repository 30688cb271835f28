package dev.ledger.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;

/**
 * Starts a real PostgreSQL (the production major version, from Maven Central) for the dev and
 * test profiles when no database URL is configured, and points both datasources at it.
 *
 * <p>Never active in the prod profile: there a missing URL stays missing and startup fails.
 * Dev data persists in {@code ledger.embedded-postgres.data-dir} (default {@code .ledger/postgres});
 * tests get a fresh throw-away cluster. The server is started once per JVM (dev-mode reloads
 * and test restarts reuse it) and stopped when the JVM exits.
 */
public final class EmbeddedPostgresConfigSourceFactory implements ConfigSourceFactory {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresConfigSourceFactory.class);

    /** Survives dev-mode class-loader restarts, unlike a static field of this class. */
    private static final String STARTED_PORT_PROPERTY = "dev.ledger.embedded-postgres-port";

    private static final int ORDINAL_BELOW_APPLICATION_PROPERTIES = 200;

    private static final String SERVICE_ROLE = "ledger_service";

    /** Set by GraalVM in a native executable and while building one (ImageInfo's key). */
    private static final String NATIVE_IMAGE_CODE = "org.graalvm.nativeimage.imagecode";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        // A native executable is always a packaged, production build and has no PostgreSQL
        // binaries. GraalVM fixes this property when it builds the image, which lets it leave the
        // zonky code below out of the executable rather than compile it in.
        if (System.getProperty(NATIVE_IMAGE_CODE) != null) {
            return List.of();
        }
        List<String> profiles = context.getProfiles();
        boolean dev = profiles.contains("dev");
        boolean test = profiles.contains("test");
        if (!(dev || test) || isSet(context, "quarkus.datasource.reactive.url")
                || "false".equals(value(context, "ledger.embedded-postgres.enabled"))) {
            return List.of();
        }
        int port = startedPort().orElseGet(() -> start(context, test));
        String hostPort = "localhost:" + port + "/postgres";
        // The production arrangement of roles: migrations as the owner, the service as a role
        // that may only SELECT and INSERT (V3__service_role.sql), so tests run with its rights.
        return List.of(new PropertiesConfigSource(Map.of(
                "quarkus.datasource.reactive.url", "postgresql://" + hostPort,
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://" + hostPort,
                "quarkus.datasource.username", SERVICE_ROLE,
                "quarkus.datasource.password", SERVICE_ROLE,
                "quarkus.flyway.username", "postgres",
                "quarkus.flyway.password", "postgres"),
                "embedded-postgres", ORDINAL_BELOW_APPLICATION_PROPERTIES));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL_BELOW_APPLICATION_PROPERTIES);
    }

    private static synchronized int start(ConfigSourceContext context, boolean test) {
        OptionalInt already = startedPort();
        if (already.isPresent()) {
            return already.getAsInt();
        }
        return Server.start(context, test);
    }

    /** Holds every reference to zonky, which the packaged (prod) application does not contain. */
    private static final class Server {

        private Server() {
        }

        static int start(ConfigSourceContext context, boolean test) {
            try {
                EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                        // zonky waits 10 s by default; a busy 2-core CI machine needs longer.
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .setServerConfig("max_connections", "200");
                if (!test) {
                    Path dataDir = Path.of(valueOr(context, "ledger.embedded-postgres.data-dir", ".ledger/postgres"))
                            .toAbsolutePath();
                    Files.createDirectories(dataDir);
                    builder.setDataDirectory(dataDir)
                            .setCleanDataDirectory(false)
                            .setPort(Integer.parseInt(valueOr(context, "ledger.embedded-postgres.port", "54329")));
                    LOG.infof("Starting embedded PostgreSQL with data in %s", dataDir);
                }
                EmbeddedPostgres postgres = builder.start();
                createServiceRole(postgres);
                int port = postgres.getPort();
                System.setProperty(STARTED_PORT_PROPERTY, Integer.toString(port));
                LOG.infof("Embedded PostgreSQL listening on localhost:%d", port);
                return port;
            } catch (IOException | SQLException e) {
                throw new IllegalStateException("Could not start the embedded PostgreSQL; configure "
                        + "QUARKUS_DATASOURCE_REACTIVE_URL and QUARKUS_DATASOURCE_JDBC_URL to use an external one", e);
            }
        }

        /** Idempotent: the dev data directory keeps the role from one run to the next. */
        private static void createServiceRole(EmbeddedPostgres postgres) throws SQLException {
            try (Connection connection = postgres.getPostgresDatabase().getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("DO $$ BEGIN"
                        + " IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + SERVICE_ROLE + "') THEN"
                        + " CREATE ROLE " + SERVICE_ROLE + " LOGIN PASSWORD '" + SERVICE_ROLE + "';"
                        + " END IF; END $$");
            }
        }
    }

    private static OptionalInt startedPort() {
        String port = System.getProperty(STARTED_PORT_PROPERTY);
        return port == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(port));
    }

    private static boolean isSet(ConfigSourceContext context, String name) {
        String value = value(context, name);
        return value != null && !value.isBlank();
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null ? null : value.getValue();
    }

    private static String valueOr(ConfigSourceContext context, String name, String fallback) {
        String value = value(context, name);
        return value == null ? fallback : value;
    }
}
