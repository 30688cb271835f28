package dev.ledger.config;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reactive pool as Quarkus configures it, with the one limit Quarkus does not expose: how long
 * a request waits in the pool's queue for a connection (Vert.x default 30 s). A request gives up
 * after ledger.database-timeout anyway; without this its statement would stay queued and run after
 * the client was told 503, e.g. when PostgreSQL resumes from a pause.
 */
@Singleton
public class BoundedPoolCreator implements PgPoolCreator {

    private final LedgerConfig config;

    BoundedPoolCreator(LedgerConfig config) {
        this.config = config;
    }

    @Override
    public Pool create(Input input) {
        PoolOptions options = input.poolOptions()
                .setConnectionTimeout((int) config.databaseTimeout().toMillis())
                .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
        return PgBuilder.pool().with(options).connectingTo(List.<SqlConnectOptions>copyOf(input.pgConnectOptionsList()))
                .using(input.vertx()).build();
    }
}
