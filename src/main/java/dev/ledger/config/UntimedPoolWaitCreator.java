package dev.ledger.config;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * The reactive pool as Quarkus configures it, without Vert.x's timeout on the wait for a
 * connection (default 30 s; Quarkus does not expose it). With PostgreSQL paused for longer than
 * that timeout, transfers whose batch had been reported failed by it were committed all the same
 * when PostgreSQL resumed, after a retry of the same id had been refused for funds (the bank check,
 * docs/reliability.md). Without it, a batch ends only when PostgreSQL has finished it, and
 * TransferBatcher holds back retries of its ids until then. Every request is still bounded by
 * ledger.database-timeout, and the number of waiting requests by ledger.admission.max-in-flight.
 */
@Singleton
public class UntimedPoolWaitCreator implements PgPoolCreator {

    private static final int NO_TIMEOUT = 0;

    @Override
    public Pool create(Input input) {
        PoolOptions options = input.poolOptions().setConnectionTimeout(NO_TIMEOUT);
        return PgBuilder.pool().with(options).connectingTo(List.<SqlConnectOptions>copyOf(input.pgConnectOptionsList()))
                .using(input.vertx()).build();
    }
}
