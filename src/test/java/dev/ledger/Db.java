package dev.ledger;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;

/** Direct SQL against the test database, bypassing the service, for rules PostgreSQL owns. */
public final class Db {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Db() {
    }

    /** On a pool, or on one session (a SqlConnection) when statements must share it. */
    public static RowSet<Row> query(SqlClient client, String sql, Object... args) {
        return client.preparedQuery(sql).execute(Tuple.from(Arrays.asList(args))).await().atMost(TIMEOUT);
    }

    public static long number(Pool pool, String sql, Object... args) {
        return query(pool, sql, args).iterator().next().getLong(0);
    }

    /**
     * Holds a source's chain lock on a connection of its own, so that transfers from it wait
     * inside the service until {@link Held#release()}.
     */
    public static Held holdChain(Pool pool, UUID source) {
        return hold(pool, "SELECT pg_advisory_lock(source_lock_key($1))", source);
    }

    /** Holds credit lanes 0 to lanes - 1 of an account, so that a credit to it must take another. */
    public static Held holdLanes(Pool pool, UUID account, int lanes) {
        return hold(pool, "SELECT pg_advisory_lock(credit_lane_lock_key($1, lane)) FROM generate_series(0, $2 - 1) AS lane",
                account, lanes);
    }

    private static Held hold(Pool pool, String lockSql, Object... args) {
        SqlConnection holder = pool.getConnection().await().atMost(TIMEOUT);
        holder.preparedQuery(lockSql).execute(Tuple.from(Arrays.asList(args))).await().atMost(TIMEOUT);
        return new Held(holder);
    }

    /** Advisory locks held by a session of their own; release() may be called more than once. */
    public static final class Held implements AutoCloseable {
        private final SqlConnection holder;
        private boolean released;

        private Held(SqlConnection holder) {
            this.holder = holder;
        }

        /** Unlocks first: closing only returns the session to the pool, its locks still held. */
        public void release() {
            if (!released) {
                released = true;
                holder.query("SELECT pg_advisory_unlock_all()").execute().await().atMost(TIMEOUT);
                holder.close().await().atMost(TIMEOUT);
            }
        }

        @Override
        public void close() {
            release();
        }
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
