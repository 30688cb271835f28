package dev.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every ledger rule, proven with plain SQL against PostgreSQL: they hold for any writer, not
 * only for the service.
 */
@QuarkusTest
class DatabaseRulesTest {

    private static final String INSERT =
            "INSERT INTO transfer (source, index, destination, amount) VALUES ($1, $2, $3, $4)";

    @Inject
    Pool pool;

    /** Privileges would stop the service's role before the triggers; the owner meets them. */
    @Inject
    @ReactiveDataSource("owner")
    Pool owner;

    private UUID alice;
    private UUID bob;

    @BeforeEach
    void twoAccounts() {
        String currency = Api.freshCurrency();
        alice = open(currency, "regular", 1_000);
        bob = open(currency, "regular", 0);
    }

    @Test
    void amountMustBePositive() {
        assertRejected("23514", "transfer_amount_positive", INSERT, alice, null, bob, 0L);
        assertRejected("23514", "transfer_amount_positive", INSERT, alice, null, bob, -1L);
        assertNothingWritten();
    }

    @Test
    void noTransferToSelf() {
        assertRejected("23514", "transfer_not_to_self", INSERT, alice, null, alice, 1L);
        assertNothingWritten();
    }

    @Test
    void indexIsContiguousWithoutGapsOrRepeats() {
        Db.query(pool, INSERT, alice, 1L, bob, 1L);
        assertRejected("LG004", null, INSERT, alice, 1L, bob, 1L);
        assertRejected("LG004", null, INSERT, alice, 3L, bob, 1L);
        Db.query(pool, INSERT, alice, 2L, bob, 1L);
        Db.query(pool, INSERT, alice, null, bob, 1L);
        assertEquals(3, Db.number(pool, "SELECT max(index) FROM transfer WHERE source = $1", alice));
    }

    @Test
    void aWriterWithAStaleSnapshotCannotRepeatAnIndex() {
        // REPEATABLE READ keeps the snapshot taken before the concurrent append below, so the
        // trigger computes index 1 again; the primary key, not the trigger, then refuses it.
        SqlConnection stale = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        try {
            stale.query("BEGIN ISOLATION LEVEL REPEATABLE READ").execute().await().indefinitely();
            stale.query("SELECT count(*) FROM transfer").execute().await().indefinitely();
            Db.query(pool, INSERT, alice, null, bob, 5L);
            PgException e = assertThrows(PgException.class, () -> stale.preparedQuery(INSERT)
                    .execute(Tuple.from(Arrays.asList(alice, null, bob, 5L))).await().indefinitely());
            assertEquals("23505", e.getSqlState());
            assertEquals("transfer_pkey", e.getConstraint());
        } finally {
            stale.query("ROLLBACK").execute().await().indefinitely();
            stale.close().await().indefinitely();
        }
        assertEquals(1, Db.number(pool, "SELECT count(*) FROM transfer WHERE source = $1", alice));
    }

    @Test
    void currenciesMustMatch() {
        UUID other = open(Api.freshCurrency(), "regular", 0);
        assertRejected("LG002", null, INSERT, alice, null, other, 1L);
        assertNothingWritten();
    }

    @Test
    void accountsMustExist() {
        assertRejected("LG001", null, INSERT, alice, null, UUID.randomUUID(), 1L);
        assertRejected("LG001", null, INSERT, UUID.randomUUID(), null, bob, 1L);
        assertNothingWritten();
    }

    @Test
    void regularSourceNeedsTheBalanceBeforeTheTransfer() {
        assertRejected("LG003", null, INSERT, alice, null, bob, 1_001L);
        Db.query(pool, INSERT, alice, null, bob, 1_000L);
        assertRejected("LG003", null, INSERT, alice, null, bob, 1L);
        assertRejected("LG003", null, INSERT, bob, null, alice, 1_001L);
        assertEquals(0, Db.number(pool, "SELECT balance_at($1, 'infinity')", alice));
        assertEquals(1_000, Db.number(pool, "SELECT balance_at($1, 'infinity')", bob));
    }

    /**
     * V7: in one transaction, alice's later transfers start from her previous row's balance, a
     * floor, and probe her credits only when it falls short; the probe alone refuses.
     */
    @Test
    void aSourcesRunInOneTransactionPassesOnItsFloorAndIsRefusedOnlyByTheProbe() {
        UUID carol = open(currencyOf(alice), "regular", 500);
        SqlConnection writer = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        try {
            writer.query("BEGIN").execute().await().indefinitely();
            for (Object[] transfer : new Object[][] {
                    {alice, bob, 600L}, {carol, alice, 500L}, {alice, bob, 100L}, {alice, bob, 700L}}) {
                writer.preparedQuery(INSERT).execute(Tuple.of(transfer[0], null, transfer[1], transfer[2]))
                        .await().indefinitely();
            }
            // The floor (100) is short of 101 and the probe finds only 100: refused, as ever.
            PgException e = assertThrows(PgException.class, () -> writer.preparedQuery(INSERT)
                    .execute(Tuple.of(alice, null, bob, 101L)).await().indefinitely());
            assertEquals("LG003", e.getSqlState());
            writer.query("ROLLBACK").execute().await().indefinitely();
            writer.query("BEGIN").execute().await().indefinitely();
            // One statement, as post_transfers sends it: alice's rows after the first use the floor.
            writer.preparedQuery("INSERT INTO transfer (source, destination, amount)"
                    + " VALUES ($1, $2, 600), ($3, $1, 500), ($1, $2, 100), ($1, $2, 700)")
                    .execute(Tuple.of(alice, bob, carol)).await().indefinitely();
            writer.query("COMMIT").execute().await().indefinitely();
        } finally {
            writer.close().await().indefinitely();
        }
        var rows = Db.query(pool, "SELECT source_balance_after, balance_at(source, created_at) AS balance"
                + " FROM transfer WHERE source = $1 ORDER BY index", alice);
        var checked = new ArrayList<String>();
        rows.forEach(row -> checked.add(row.getLong(0) + "/" + row.getLong(1)));
        // 1,000 - 600 probed; - 100 on the floor of 400, blind to carol's 500; then the floor (300)
        // is short of 700, so the probe counts carol's credit: 1,500 - 700 - 700.
        assertEquals(List.of("400/400", "300/800", "100/100"), checked);
        assertEquals(100, Db.number(pool, "SELECT balance_at($1, 'infinity')", alice));
    }

    /**
     * The lane lock key is inlined into the trigger's expression (V9), not a SQL-function call per
     * row, and names the same lock as before: the text "account/lane" hashed with seed 2.
     */
    @Test
    void theCreditLaneLockKeyIsInlinedAndUnchanged() {
        UUID account = UUID.randomUUID();
        for (int lane = 0; lane < 8; lane++) {
            assertEquals(Db.number(pool, "SELECT hashtextextended($1::uuid::text || '/' || $2::int::text, 2)", account, lane),
                    Db.number(pool, "SELECT credit_lane_lock_key($1, $2)", account, lane), "lane " + lane);
        }
        StringBuilder plan = new StringBuilder();
        // Over columns, as in the trigger: a constant lane would be folded whether inlined or not.
        Db.query(pool, "EXPLAIN (VERBOSE, COSTS OFF) SELECT credit_lane_lock_key(a.id, lane.n)"
                + " FROM account a, generate_series(0, 7) AS lane(n)")
                .forEach(row -> plan.append(row.getString(0)).append('\n'));
        assertEquals(false, plan.toString().contains("credit_lane_lock_key"), plan.toString());
    }

    /** post_transfers plans its statements once per connection, not on every call (V10). */
    @Test
    void postTransfersKeepsGenericPlans() {
        assertTrue(Db.query(pool, "SELECT proconfig @> '{plan_cache_mode=force_generic_plan}' FROM pg_proc"
                + " WHERE proname = 'post_transfers'").iterator().next().getBoolean(0));
    }

    /**
     * No CHECK constraint calls a SQL-language function: PostgreSQL would parse its body again for
     * every INSERT, to try to inline it, with or without a value to check (V19).
     */
    @Test
    void checkConstraintsCallNoFunctionParsedPerStatement() {
        List<String> parsedPerStatement = new ArrayList<>();
        for (Row row : Db.query(pool, """
                SELECT c.conname || ' calls ' || p.proname
                  FROM pg_constraint c
                  JOIN pg_depend d ON d.classid = 'pg_constraint'::regclass AND d.objid = c.oid
                                  AND d.refclassid = 'pg_proc'::regclass
                  JOIN pg_proc p ON p.oid = d.refobjid
                  JOIN pg_language l ON l.oid = p.prolang
                 WHERE c.contype = 'c' AND l.lanname = 'sql' AND p.pronamespace = current_schema()::regnamespace
                 ORDER BY 1""")) {
            parsedPerStatement.add(row.getString(0));
        }
        assertEquals(List.of(), parsedPerStatement);
    }

    /** A previous transaction's row, or a savepoint's, is no floor: the next transfer probes. */
    @Test
    void theFloorComesOnlyFromTheTransactionsOwnTopLevelRows() {
        UUID carol = open(currencyOf(alice), "regular", 1_000);
        Db.query(pool, INSERT, alice, null, bob, 600L);
        Db.query(pool, INSERT, carol, null, alice, 500L);
        Db.query(pool, INSERT, alice, null, bob, 100L);
        SqlConnection writer = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        try {
            writer.query("BEGIN").execute().await().indefinitely();
            writer.query("SAVEPOINT s").execute().await().indefinitely();
            writer.preparedQuery(INSERT).execute(Tuple.of(alice, null, bob, 100L)).await().indefinitely();
            writer.query("RELEASE SAVEPOINT s").execute().await().indefinitely();
            writer.preparedQuery(INSERT).execute(Tuple.of(carol, null, alice, 500L)).await().indefinitely();
            writer.preparedQuery(INSERT).execute(Tuple.of(alice, null, bob, 100L)).await().indefinitely();
            writer.query("COMMIT").execute().await().indefinitely();
        } finally {
            writer.close().await().indefinitely();
        }
        var balances = new ArrayList<Long>();
        Db.query(pool, "SELECT source_balance_after FROM transfer WHERE source = $1 ORDER BY index", alice)
                .forEach(row -> balances.add(row.getLong(0)));
        // Each probed. A floor from the previous transaction's row would give 300 for the second,
        // one from the savepoint's row 600 for the last.
        assertEquals(List.of(400L, 800L, 700L, 1_100L), balances);
    }

    /**
     * V12: a credit takes the first free lane counting from 0, so credits that never overlap all
     * land in lane 0; a busy lane sends the next credit on, and the balance counts every lane,
     * including one past an empty one.
     */
    @Test
    void creditsFillLanesFromZeroAndTheBalanceCountsEveryLane() {
        String currency = currencyOf(alice);
        UUID carol = open(currency, "regular", 1_000);
        UUID dave = open(currency, "regular", 1_000);
        for (UUID source : List.of(alice, carol, dave)) {
            Db.query(pool, INSERT, source, null, bob, 10L);
        }
        assertEquals(List.of(0L, 0L, 0L), lanesOfCreditsTo(bob), "three sources, no overlap: lane 0");

        try (Db.Held lanes = Db.holdLanes(pool, bob, 2)) {
            Db.query(pool, INSERT, alice, null, bob, 100L);
        }
        Db.query(pool, INSERT, carol, null, bob, 900L);
        assertEquals(List.of(0L, 0L, 0L, 2L, 0L), lanesOfCreditsTo(bob), "lanes 0 and 1 busy: lane 2");
        assertEquals(1_030, Db.number(pool, "SELECT balance_at($1, 'infinity')", bob));
        assertEquals(1_030, Db.number(pool, "SELECT balance FROM account_balance($1, NULL)", bob));
    }

    /** V12: with all 8 lanes busy, a credit waits for the lane of its source, not for lane 0. */
    @Test
    void aCreditFindingEveryLaneBusyWaitsForItsSourcesLane() throws Exception {
        long sourcesLane = Db.number(pool, "SELECT abs(hashtextextended($1::uuid::text, 3) % 8)", alice);
        CompletableFuture<?> credit;
        try (Db.Held lanes = Db.holdLanes(pool, bob, 8)) {
            credit = pool.preparedQuery(INSERT).execute(Tuple.from(Arrays.asList(alice, null, bob, 10L)))
                    .subscribeAsCompletionStage();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (Db.number(pool, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    + " AND (classid::bigint << 32 | objid::bigint) = credit_lane_lock_key($1, $2::int)", bob, sourcesLane) == 0) {
                assertTrue(System.nanoTime() < deadline, "the credit waits for lane " + sourcesLane);
                Thread.sleep(20);
            }
        }
        credit.get(30, TimeUnit.SECONDS);
        assertEquals(List.of(sourcesLane), lanesOfCreditsTo(bob));
    }

    @Test
    void issuersMayGoNegative() {
        UUID issuer = open(Api.freshCurrency(), "issuer", 0);
        UUID holder = open(currencyOf(issuer), "regular", 0);
        Db.query(pool, INSERT, issuer, null, holder, 5_000L);
        assertEquals(-5_000, Db.number(pool, "SELECT balance_at($1, 'infinity')", issuer));
    }

    @Test
    void derivedColumnsAreComputedByTheDatabaseNotTakenFromTheWriter() {
        Db.query(pool, "INSERT INTO transfer (source, destination, amount, source_debited, source_balance_after,"
                + " credit_lane, credit_lane_seq, credit_lane_total, created_at)"
                + " VALUES ($1, $2, 10, 999999, 999999, 0, 42, 999999, '2000-01-01')", alice, bob);
        var row = Db.query(pool, "SELECT source_debited, source_balance_after, credit_lane_seq, credit_lane_total,"
                + " created_at > now() - interval '1 hour' AS recent FROM transfer WHERE source = $1", alice)
                .iterator().next();
        assertEquals(10, row.getLong("source_debited"));
        assertEquals(990, row.getLong("source_balance_after"));
        assertEquals(1, row.getLong("credit_lane_seq"));
        assertEquals(10, row.getLong("credit_lane_total"));
        assertEquals(true, row.getBoolean("recent"));
    }

    @Test
    void aRefusalIsRecordedUnderItsIdAndNeverBecomesATransfer() {
        UUID id = UUID.randomUUID();
        assertEquals("LG003", postOne(id, 2_000L).getString("error_state"));
        Db.query(pool, INSERT, open(currencyOf(alice), "regular", 5_000), null, alice, 5_000L);
        // Alice has the funds now; the id is spent all the same, as the first answer said.
        assertEquals("LG003", postOne(id, 2_000L).getString("error_state"));
        Row other = postOne(id, 1L);
        assertEquals("23505", other.getString("error_state"));
        assertEquals("transfer_refusal_pkey", other.getString("error_constraint"));
        assertEquals(0, Db.number(pool, "SELECT count(*) FROM transfer WHERE id = $1", id));
        assertEquals(1, Db.number(pool, "SELECT count(*) FROM transfer_refusal WHERE id = $1", id));
        // Nor may any other writer use it: a direct insert, or an account whose funding takes its id.
        assertRejected("23505", "transfer_refusal_pkey",
                "INSERT INTO transfer (id, source, destination, amount) VALUES ($1, $2, $3, 1)", id, alice, bob);
        assertRejected("23505", "transfer_refusal_pkey", "SELECT * FROM open_account($1, $2, 'regular', 1, NULL)",
                id, currencyOf(alice));
        assertRejectedBy(owner, "LG005", null, "DELETE FROM transfer_refusal WHERE id = $1", id);
    }

    /** One transfer from alice to bob through the service's own batch function. */
    private Row postOne(UUID id, long amount) {
        return Db.query(pool, "SELECT * FROM post_transfers(ARRAY[$1]::uuid[], ARRAY[$2]::uuid[], ARRAY[$3]::uuid[],"
                + " ARRAY[$4]::bigint[], ARRAY[NULL]::bigint[], ARRAY[NULL]::text[], ARRAY[NULL]::text[])",
                id, alice, bob, amount).iterator().next();
    }

    @Test
    void aBatchAnswersEachBadItemAndAppendsTheOthers() {
        UUID valid = UUID.randomUUID();
        UUID alsoValid = UUID.randomUUID();
        // Its own funds: a batch appends in source order, and alice and bob opened in the same
        // millisecond may sort either way, so bob's credit from item 1 may come after item 6.
        UUID carol = open(currencyOf(alice), "regular", 100);
        String tooBig = "{\"note\": \"" + "x".repeat(4_100) + "\"}";
        var rows = Db.query(pool, "SELECT ordinal, outcome, error_state, error_constraint FROM post_transfers($1, $2, $3,"
                        + " $4, ARRAY[NULL, NULL, NULL, NULL, NULL, NULL]::bigint[],"
                        + " ARRAY[NULL, NULL, NULL, NULL, NULL, NULL]::text[], $5) ORDER BY ordinal",
                new UUID[] {valid, UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), alsoValid},
                new UUID[] {alice, alice, alice, alice, alice, carol},
                new UUID[] {bob, bob, alice, bob, UUID.randomUUID(), alice},
                new Long[] {600L, 600L, 1L, 1L, 1L, 100L},
                new String[] {null, null, null, tooBig, null, null});
        var answers = new ArrayList<String>();
        rows.forEach(row -> answers.add(row.getString("outcome") + " " + row.getString("error_state") + " "
                + row.getString("error_constraint")));
        assertEquals(List.of("created null null", "failed LG003 null",
                "failed 23514 transfer_not_to_self", "failed 23514 transfer_metadata_object", "failed LG001 null",
                "created null null"), answers);
        assertEquals(2, Db.number(pool, "SELECT count(*) FROM transfer WHERE id IN ($1, $2)", valid, alsoValid));
        assertEquals(500, Db.number(pool, "SELECT balance_at($1, 'infinity')", alice));
    }

    /**
     * A batch whose items are all appended is answered from its new rows without the refusal
     * bookkeeping (V11), a lone one from its row without RETURN QUERY (V20); a batch with a
     * refusal takes the general answer query. Each must answer a created item with exactly its
     * row of the log, in the item's place.
     */
    @Test
    void aCreatedItemIsAnsweredWithItsRowWhetherOrNotANeighbourWasRefused() {
        Db.query(pool, INSERT, alice, null, bob, 100L);
        String columns = "(%1$s.source, %1$s.index, %1$s.destination, %1$s.amount, %1$s.currency, %1$s.description,"
                + " %1$s.metadata, %1$s.created_at, %1$s.source_balance_after)::text";
        // Bob's item comes first but is appended after alice's (source order); answers keep item order.
        // The third item of each batch is refused: alice cannot pay a million.
        UUID[] sources = {bob, alice, alice};
        UUID[] destinations = {alice, bob, bob};
        Long[] amounts = {1L, 2L, 1_000_000L};
        String[] descriptions = {"first", "second", "third"};
        String[] metadata = {"{\"n\": 1}", null, null};
        List<String> expected = List.of("1 created true true true", "2 created true true true",
                "3 failed true false false");
        for (int items = 1; items <= 3; items++) {
            var ids = new UUID[items];
            Arrays.setAll(ids, i -> UUID.randomUUID());
            var rows = Db.query(pool, "SELECT ordinal, outcome, id, concat(error_state, error_message, error_detail,"
                            + " error_constraint) AS error, " + columns.formatted("p") + " AS answered"
                            + " FROM post_transfers($1, $2, $3, $4, $5, $6, $7) AS p",
                    ids, Arrays.copyOf(sources, items), Arrays.copyOf(destinations, items),
                    Arrays.copyOf(amounts, items), new Long[items], Arrays.copyOf(descriptions, items),
                    Arrays.copyOf(metadata, items));
            var answers = new ArrayList<String>();
            for (Row row : rows) {
                UUID id = row.getUUID("id");
                var logged = Db.query(pool, "SELECT " + columns.formatted("v") + " FROM transfer_view v WHERE v.id = $1", id);
                String rowOfTheLog = logged.size() == 0 ? "none" : logged.iterator().next().getString(0);
                answers.add(row.getInteger("ordinal") + " " + row.getString("outcome") + " "
                        + id.equals(ids[row.getInteger("ordinal") - 1]) + " " + row.getString("error").isEmpty() + " "
                        + rowOfTheLog.equals(row.getString("answered")));
            }
            assertEquals(expected.subList(0, items), answers, items + " items");
        }
    }

    @Test
    void softRefusalsSkipABadRowAndNeverLetItIn() {
        // What post_transfers turns on for its own transaction; any writer may, and gains nothing by it.
        SqlConnection writer = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        try {
            writer.query("BEGIN").execute().await().indefinitely();
            writer.query("SELECT set_config('ledger.soft_refusals', 'on', true)").execute().await().indefinitely();
            int inserted = writer.preparedQuery(INSERT).execute(Tuple.of(alice, null, bob, 1_001L))
                    .await().indefinitely().rowCount();
            Row refusal = writer.query("SELECT state FROM soft_refusals_reported()")
                    .execute().await().indefinitely().iterator().next();
            writer.query("COMMIT").execute().await().indefinitely();
            assertEquals(0, inserted);
            assertEquals("LG003", refusal.getString("state"));
        } finally {
            writer.query("ROLLBACK").execute().await().indefinitely();
            writer.close().await().indefinitely();
        }
        assertNothingWritten();
        // post_transfers turns them off again: a later insert of its transaction is refused aloud.
        SqlConnection batch = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        try {
            batch.query("BEGIN").execute().await().indefinitely();
            batch.preparedQuery("SELECT * FROM post_transfers(ARRAY[$1]::uuid[], ARRAY[$2]::uuid[],"
                    + " ARRAY[$3]::uuid[], ARRAY[1]::bigint[], ARRAY[NULL]::bigint[], ARRAY[NULL]::text[],"
                    + " ARRAY[NULL]::text[])").execute(Tuple.of(UUID.randomUUID(), bob, alice)).await().indefinitely();
            PgException e = assertThrows(PgException.class, () -> batch.preparedQuery(INSERT)
                    .execute(Tuple.of(alice, null, bob, 1_001L)).await().indefinitely());
            assertEquals("LG003", e.getSqlState());
        } finally {
            batch.query("ROLLBACK").execute().await().indefinitely();
            batch.close().await().indefinitely();
        }
        assertNothingWritten();
    }

    @Test
    void aBalanceMustFitIn64Bits() {
        UUID issuer = open(Api.freshCurrency(), "issuer", 0);
        UUID rich = open(currencyOf(issuer), "regular", 0);
        UUID other = open(currencyOf(issuer), "regular", 0);
        // Eight accounts of a lane's share each (2^63 - 8 in all), then 7 and 1: the issuer at -2^63.
        for (int i = 0; i < 8; i++) {
            Db.query(pool, INSERT, issuer, null, open(currencyOf(issuer), "regular", 0), LANE_SHARE);
        }
        Db.query(pool, INSERT, issuer, null, rich, 7L);
        Db.query(pool, INSERT, issuer, null, other, 1L);
        assertEquals(Long.MIN_VALUE, Db.number(pool, "SELECT balance_at($1, 'infinity')", issuer));
        assertRejected("22003", null, INSERT, issuer, null, other, 1L);
        assertEquals(10, Db.number(pool, "SELECT count(*) FROM transfer WHERE source = $1", issuer));
    }

    @Test
    void anAccountRequestInConflictCreatesNoIssuerForItsCurrency() {
        String unused = Api.freshCurrency();
        Row answer = Db.query(pool, "SELECT outcome FROM open_account($1, $2, 'regular', 0, NULL)", alice, unused)
                .iterator().next();
        assertEquals("conflict", answer.getString("outcome"));
        assertEquals(0, Db.number(pool, "SELECT count(*) FROM account WHERE currency = $1", unused));
    }

    /** A lane's share of the 64-bit range (V14): credits within it are never checked. */
    private static final long LANE_SHARE = Long.MAX_VALUE / 8;

    @Test
    void aCreditThatCouldTakeABalancePast64BitsIsRefusedAndTheAccountStaysReadable() {
        UUID issuer = open(Api.freshCurrency(), "issuer", 0);
        UUID otherIssuer = open(currencyOf(issuer), "issuer", 0);
        UUID rich = open(currencyOf(issuer), "regular", 0);
        Db.query(pool, INSERT, issuer, null, rich, LANE_SHARE);
        // Past the share, lane 0 counts in full and each other lane as a whole share, since
        // credits within the share are not checked: 2^63 - 1 is reached at LANE_SHARE + 7.
        Db.query(pool, INSERT, issuer, null, rich, 7L);
        assertRejected("22003", null, INSERT, otherIssuer, null, rich, 1L);
        assertEquals(LANE_SHARE + 7, Db.number(pool, "SELECT balance_at($1, 'infinity')", rich));
        // Turnover past the share is fine as long as the balance fits.
        Db.query(pool, INSERT, rich, null, otherIssuer, 10L);
        Db.query(pool, INSERT, otherIssuer, null, rich, 5L);
        assertEquals(LANE_SHARE + 2, Db.number(pool, "SELECT balance_at($1, 'infinity')", rich));
    }

    @Test
    void parallelCreditsInEveryLaneNeverTakeABalancePast64Bits() throws Exception {
        // Each writer holds its lane for a second, so the credits spread over the lanes and none
        // sees another's: 16 credits of two thirds of a share would sum to 10.7 shares, past
        // 2^63 - 1, if nothing bounded them. A thread each: the common pool may run one at a time.
        String currency = Api.freshCurrency();
        UUID rich = open(currency, "regular", 0);
        long amount = LANE_SHARE / 3 * 2;
        int writerCount = 16;
        ExecutorService threads = Executors.newFixedThreadPool(writerCount);
        try {
            List<Future<Boolean>> writers = new ArrayList<>();
            for (int i = 0; i < writerCount; i++) {
                UUID issuer = open(currency, "issuer", 0);
                writers.add(threads.submit(() -> credit(issuer, rich, amount)));
            }
            long accepted = 0;
            for (Future<Boolean> credit : writers) {
                accepted += credit.get(60, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertTrue(accepted >= 1 && accepted < writerCount, accepted + " credits accepted");
            assertEquals(accepted * amount, Db.number(pool, "SELECT balance_at($1, 'infinity')", rich));
        } finally {
            threads.shutdownNow();
        }
    }

    /** One credit in a transaction held open for a second; false when refused for the 64-bit range. */
    private boolean credit(UUID source, UUID destination, long amount) {
        SqlConnection writer = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        try {
            Db.query(writer, "BEGIN");
            Db.query(writer, INSERT, source, null, destination, amount);
            Db.query(writer, "SELECT pg_sleep(1)");
            Db.query(writer, "COMMIT");
            return true;
        } catch (PgException e) {
            assertEquals("22003", e.getSqlState(), e.getMessage());
            Db.query(writer, "ROLLBACK");
            return false;
        } finally {
            writer.close().await().indefinitely();
        }
    }

    @Test
    void metadataNumbersAreAtMostAThousandCharactersAsPrinted() {
        // The service reads metadata back through a parser that stops at 1,000 characters (V15).
        // Sent as text: the client would send a Java String for a jsonb parameter as a JSON string.
        String longest = "{\"n\": -" + "9".repeat(999) + "}";
        String tooLong = "{\"n\": 1" + "0".repeat(1000) + "}";
        Db.query(pool, "INSERT INTO transfer (source, destination, amount, metadata) VALUES ($1, $2, 1, $3::text::jsonb)",
                alice, bob, longest);
        assertRejected("23514", "transfer_metadata_numbers",
                "INSERT INTO transfer (source, destination, amount, metadata) VALUES ($1, $2, 1, $3::text::jsonb)",
                alice, bob, tooLong);
        assertRejected("23514", "transfer_metadata_numbers",
                "INSERT INTO transfer (source, destination, amount, metadata) VALUES ($1, $2, 1, $3::text::jsonb)",
                alice, bob, "{\"deep\": [{\"n\": 1e1000}]}");
        assertRejected("23514", "account_metadata_numbers",
                "SELECT * FROM open_account(NULL, $1, 'regular', 0, $2::text::jsonb)", currencyOf(alice), tooLong);
    }

    @Test
    void theLogIsImmutable() {
        Db.query(pool, INSERT, alice, null, bob, 10L);
        assertRejectedBy(owner, "LG005", null, "UPDATE transfer SET amount = 1 WHERE source = $1", alice);
        assertRejectedBy(owner, "LG005", null, "UPDATE transfer SET description = 'x' WHERE source = $1", alice);
        assertRejectedBy(owner, "LG005", null, "DELETE FROM transfer WHERE source = $1", alice);
        assertRejectedBy(owner, "LG005", null, "TRUNCATE transfer");
        assertEquals(10, Db.number(pool, "SELECT amount FROM transfer WHERE source = $1", alice));
    }

    @Test
    void anAccountsIdentityIsImmutableAndItIsNeverRemoved() {
        assertRejectedBy(owner, "LG005", null, "UPDATE account SET currency = 'XXX' WHERE id = $1", alice);
        assertRejectedBy(owner, "LG005", null, "UPDATE account SET kind = 'issuer' WHERE id = $1", alice);
        assertRejectedBy(owner, "LG005", null, "UPDATE account SET id = gen_random_uuid() WHERE id = $1", alice);
        assertRejectedBy(owner, "LG005", null, "DELETE FROM account WHERE id = $1", alice);
        assertRejectedBy(owner, "LG005", null, "TRUNCATE account");
        Db.query(owner, "UPDATE account SET metadata = '{\"note\": \"metadata may change\"}' WHERE id = $1", alice);
    }

    @Test
    void accountFieldsAreChecked() {
        assertRejected("23514", "account_currency_format", "INSERT INTO account (currency) VALUES ('eur')");
        assertRejected("23514", "account_kind_known", "INSERT INTO account (currency, kind) VALUES ('EUR', 'x')");
        assertRejected("23514", "account_metadata_object",
                "INSERT INTO account (currency, metadata) VALUES ('EUR', '[1]')");
    }

    @Test
    void eachCurrencyHasOneDefaultIssuerCreatedOnFirstUse() {
        String currency = Api.freshCurrency();
        assertEquals(0, Db.number(pool, "SELECT count(*) FROM account WHERE currency = $1", currency));
        UUID first = Db.query(pool, "SELECT default_issuer($1)", currency).iterator().next().getUUID(0);
        UUID again = Db.query(pool, "SELECT default_issuer($1)", currency).iterator().next().getUUID(0);
        assertEquals(first, again);
        assertRejected("23505", "account_one_default_issuer_per_currency",
                "INSERT INTO account (currency, kind, is_default_issuer) VALUES ($1, 'issuer', true)", currency);
    }

    @Test
    void theRulesFireEvenForReplicationSessions() {
        // ENABLE ALWAYS: session_replication_role = replica does not skip them.
        assertEquals(0, Db.number(pool, "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                + " WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal AND t.tgenabled <> 'A'"));
        assertEquals(9, Db.number(pool, "SELECT count(*) FROM pg_trigger"
                + " WHERE tgrelid IN ('transfer'::regclass, 'account'::regclass) AND NOT tgisinternal"));
    }

    @Test
    void theServicesConnectionsBoundEveryStatement() {
        // The point-in-time guarantee rests on this bound (docs/design.md).
        assertEquals(10_000, Db.number(pool, "SELECT setting::bigint FROM pg_settings WHERE name = 'statement_timeout'"));
        assertEquals(10_000, Db.number(pool,
                "SELECT setting::bigint FROM pg_settings WHERE name = 'idle_in_transaction_session_timeout'"));
    }

    private UUID open(String currency, String kind, long initialBalance) {
        return Db.query(pool, "SELECT id FROM open_account(NULL, $1, $2, $3, NULL)", currency, kind, initialBalance)
                .iterator().next().getUUID("id");
    }

    /** The credit lane of each transfer to the account, oldest first. */
    private List<Long> lanesOfCreditsTo(UUID account) {
        List<Long> lanes = new ArrayList<>();
        for (Row row : Db.query(pool, "SELECT credit_lane::bigint FROM transfer WHERE destination = $1"
                + " AND source <> (SELECT id FROM account WHERE currency = $2::text AND is_default_issuer) ORDER BY created_at",
                account, currencyOf(account))) {
            lanes.add(row.getLong(0));
        }
        return lanes;
    }

    private String currencyOf(UUID account) {
        return Db.query(pool, "SELECT currency FROM account WHERE id = $1", account).iterator().next().getString(0);
    }

    private void assertRejected(String sqlState, String constraint, String sql, Object... args) {
        assertRejectedBy(pool, sqlState, constraint, sql, args);
    }

    private static void assertRejectedBy(Pool by, String sqlState, String constraint, String sql, Object... args) {
        PgException e = Db.failure(by, sql, args);
        assertEquals(sqlState, e.getSqlState(), e.getMessage());
        if (constraint != null) {
            assertEquals(constraint, e.getConstraint(), e.getMessage());
        }
    }

    private void assertNothingWritten() {
        assertEquals(0, Db.number(pool, "SELECT count(*) FROM transfer WHERE source = $1", alice));
        assertEquals(1_000, Db.number(pool, "SELECT balance_at($1, 'infinity')", alice));
    }
}
