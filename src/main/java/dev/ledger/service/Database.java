package dev.ledger.service;

import dev.ledger.config.LedgerConfig;
import dev.ledger.problem.DatabaseErrors;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one statement with the service's rules for every database call: transient failures
 * (deadlock, serialization failure) retried with jittered backoff, a bound on the whole wait,
 * and PostgreSQL's errors translated to problem types.
 */
@ApplicationScoped
class Database {

    private final Pool pool;
    private final LedgerConfig config;
    private final LedgerMetrics metrics;

    Database(Pool pool, LedgerConfig config, LedgerMetrics metrics) {
        this.pool = pool;
        this.config = config;
        this.metrics = metrics;
    }

    Uni<RowSet<Row>> execute(String sql, Tuple args) {
        LedgerConfig.Retry retry = config.retry();
        AtomicInteger attempts = new AtomicInteger();
        // Deferred: each retry subscribes again, which is where a retry is counted.
        return Uni.createFrom().deferred(() -> {
                    if (attempts.getAndIncrement() > 0) {
                        metrics.statementRetried();
                    }
                    return pool.preparedQuery(sql).execute(args);
                })
                .onFailure(DatabaseErrors::isTransient).retry()
                .withBackOff(retry.backoffMin(), retry.backoffMax()).withJitter(0.5)
                .atMost(retry.maxAttempts() - 1L)
                .ifNoItem().after(config.databaseTimeout()).failWith(() -> DatabaseErrors.noAnswerWithin(config.databaseTimeout()))
                .onFailure().transform(DatabaseErrors::translate);
    }
}
