package dev.ledger;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import java.time.Duration;

/** Direct SQL against the test database, bypassing the service, for rules PostgreSQL owns. */
public final class Db {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Db() {
    }

    public static RowSet<Row> query(Pool pool, String sql, Object... args) {
        return pool.preparedQuery(sql).execute(Tuple.from(java.util.Arrays.asList(args))).await().atMost(TIMEOUT);
    }

    public static long number(Pool pool, String sql, Object... args) {
        return query(pool, sql, args).iterator().next().getLong(0);
    }

    /** The statement must fail; returns PostgreSQL's error for the caller to check the SQLSTATE. */
    public static PgException failure(Pool pool, String sql, Object... args) {
        try {
            query(pool, sql, args);
        } catch (PgException e) {
            return e;
        }
        throw new AssertionError("expected PostgreSQL to reject: " + sql);
    }
}
