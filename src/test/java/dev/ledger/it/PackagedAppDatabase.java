package dev.ledger.it;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

/**
 * The database of the packaged application under test. The packaged (prod) app never starts an
 * embedded PostgreSQL and has no binaries to start one, so the test JVM, which has them, starts
 * it and hands the app the production arrangement of roles as configuration: {@code ledger} owns
 * the database and runs the migrations, {@code ledger_service} may only SELECT and INSERT.
 */
public class PackagedAppDatabase implements QuarkusTestResourceLifecycleManager {

    private EmbeddedPostgres postgres;

    @Override
    public Map<String, String> start() {
        try {
            // zonky waits 10 s by default; a busy 2-core CI machine needs longer.
            postgres = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start();
            try (Connection connection = postgres.getPostgresDatabase().getConnection();
                    Statement statement = connection.createStatement()) {
                // As in README, "Use an external PostgreSQL".
                statement.execute("CREATE ROLE ledger LOGIN PASSWORD 'ledger'");
                statement.execute("CREATE ROLE ledger_service LOGIN PASSWORD 'ledger_service'");
                statement.execute("CREATE DATABASE ledger OWNER ledger");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        String hostPortDb = "localhost:" + postgres.getPort() + "/ledger";
        return Map.of(
                "quarkus.datasource.reactive.url", "postgresql://" + hostPortDb,
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://" + hostPortDb,
                "quarkus.datasource.username", "ledger_service",
                "quarkus.datasource.password", "ledger_service",
                "quarkus.flyway.username", "ledger",
                "quarkus.flyway.password", "ledger");
    }

    @Override
    public void stop() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
