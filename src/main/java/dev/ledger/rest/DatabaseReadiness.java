package dev.ledger.rest;

import dev.ledger.config.LedgerConfig;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when PostgreSQL answers through the pool that serves requests, within
 * ledger.readiness-timeout. It replaces Quarkus' datasource checks, which wait 20 s on a paused
 * server (longer than any probe) and also check the JDBC pool, which only Flyway uses at start.
 */
@Readiness
@ApplicationScoped
public class DatabaseReadiness implements AsyncHealthCheck {

    private static final String NAME = "PostgreSQL";

    private final Pool pool;
    private final LedgerConfig config;

    DatabaseReadiness(Pool pool, LedgerConfig config) {
        this.pool = pool;
        this.config = config;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return pool.query("SELECT 1").execute()
                .map(rows -> HealthCheckResponse.up(NAME))
                .ifNoItem().after(config.readinessTimeout())
                .failWith(() -> new TimeoutException("no answer within " + config.readinessTimeout()))
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named(NAME).down()
                        .withData("error", String.valueOf(failure.getMessage())).build());
    }
}
