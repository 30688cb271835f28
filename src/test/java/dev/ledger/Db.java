package dev.ledger;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import java.time.Duration;
import java.util.UUID;

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

    /**
     * Holds a source's chain lock on a connection of its own, so that transfers from it wait
     * inside the service until {@link Held#release()}.
     */
    public static Held holdChain(Pool pool, UUID source) {
        SqlConnection holder = pool.getConnection().await().atMost(TIMEOUT);
        holder.preparedQuery("SELECT pg_advisory_lock(source_lock_key($1))").execute(Tuple.of(source))
                .await().atMost(TIMEOUT);
        return new Held(holder, source);
    }

    /** A held chain lock; release() may be called more than once. */
    public static final class Held implements AutoCloseable {
        private final SqlConnection holder;
        private final UUID source;
        private boolean released;

        private Held(SqlConnection holder, UUID source) {
            this.holder = holder;
            this.source = source;
        }

        /** Unlocks first: closing only returns the session to the pool, its locks still held. */
        public void release() {
            if (!released) {
                released = true;
                holder.preparedQuery("SELECT pg_advisory_unlock(source_lock_key($1))").execute(Tuple.of(source))
                        .await().atMost(TIMEOUT);
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
