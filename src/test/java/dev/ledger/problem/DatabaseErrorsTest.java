package dev.ledger.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a client is told when the service cannot reach PostgreSQL (plain JUnit, no service). */
class DatabaseErrorsTest {

    @Test
    void a503DoesNotTellClientsWhereTheDatabaseIs() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
                    .connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(1).setDatabase("ledger")
                            .setUser("ledger_service").setPassword("secret"))
                    .using(vertx).build();
            Throwable failure = pool.query("SELECT 1").execute().toCompletionStage().toCompletableFuture()
                    .handle((rows, error) -> error).get(30, TimeUnit.SECONDS);
            LedgerException answer = (LedgerException) DatabaseErrors.translate(failure);
            assertEquals(ProblemType.DATABASE_UNAVAILABLE, answer.type());
            assertFalse(answer.getMessage().contains("127.0.0.1"), "the detail names the database's address: "
                    + answer.getMessage());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
