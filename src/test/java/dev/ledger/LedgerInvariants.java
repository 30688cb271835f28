package dev.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.mutiny.sqlclient.Pool;

/**
 * The ledger's invariants over the whole database, each a query that counts violations. Every
 * test that writes concurrently ends by asserting them all.
 */
public final class LedgerInvariants {

    private LedgerInvariants() {
    }

    public static void assertAll(Pool pool) {
        assertNone(pool, "currencies whose balances do not sum to zero", """
                SELECT a.currency FROM account a GROUP BY a.currency
                HAVING sum(balance_at(a.id, 'infinity')) <> 0""");
        assertNone(pool, "regular accounts below zero", """
                SELECT a.id FROM account a WHERE a.kind = 'regular' AND balance_at(a.id, 'infinity') < 0""");
        assertNone(pool, "sources whose indexes are not exactly 1..n", """
                SELECT t.source FROM transfer t GROUP BY t.source
                HAVING min(t.index) <> 1 OR max(t.index) <> count(*)""");
        assertNone(pool, "credit lanes whose positions are not exactly 1..n", """
                SELECT t.destination, t.credit_lane FROM transfer t GROUP BY t.destination, t.credit_lane
                HAVING min(t.credit_lane_seq) <> 1 OR max(t.credit_lane_seq) <> count(*)""");
        assertNone(pool, "transfers whose running totals or times disagree with their chains", """
                SELECT * FROM (
                  SELECT t.source_debited <> sum(t.amount) OVER source_chain AS debit_wrong,
                         t.credit_lane_total <> sum(t.amount) OVER lane_chain AS credit_wrong,
                         t.created_at <= lag(t.created_at) OVER source_chain AS source_time_wrong,
                         t.created_at <= lag(t.created_at) OVER lane_chain AS lane_time_wrong
                    FROM transfer t
                  WINDOW source_chain AS (PARTITION BY t.source ORDER BY t.index),
                         lane_chain AS (PARTITION BY t.destination, t.credit_lane ORDER BY t.credit_lane_seq)) c
                WHERE debit_wrong OR credit_wrong OR source_time_wrong OR lane_time_wrong""");
        // Recomputed from amounts and times alone, independent of the trigger's own arithmetic.
        assertNone(pool, "instants at which a regular account's recomputed balance is below zero", """
                SELECT r.account FROM (
                  SELECT e.account, sum(e.delta) OVER (PARTITION BY e.account ORDER BY e.created_at) AS balance
                    FROM (SELECT t.destination AS account, t.amount AS delta, t.created_at FROM transfer t
                          UNION ALL
                          SELECT t.source, -t.amount, t.created_at FROM transfer t) e) r
                JOIN account a ON a.id = r.account
                WHERE a.kind = 'regular' AND r.balance < 0""");
        // What the check saw may lag the balance (credits it did not count), never exceed it.
        assertNone(pool, "transfers whose source_balance_after exceeds the recomputed balance, or is negative", """
                SELECT r.id FROM (
                  SELECT e.id, e.is_debit, e.account, sum(e.delta) OVER (PARTITION BY e.account ORDER BY e.created_at)
                         AS balance
                    FROM (SELECT t.id, false AS is_debit, t.destination AS account, t.amount AS delta, t.created_at
                            FROM transfer t
                          UNION ALL
                          SELECT t.id, true, t.source, -t.amount, t.created_at FROM transfer t) e) r
                JOIN transfer t ON t.id = r.id AND r.is_debit
                JOIN account a ON a.id = t.source
                WHERE t.source_balance_after > r.balance OR (a.kind = 'regular' AND t.source_balance_after < 0)""");
        assertNone(pool, "accounts whose derived balance differs from the full recomputation", """
                SELECT a.id FROM account a
                WHERE balance_at(a.id, 'infinity')
                   <> coalesce((SELECT sum(t.amount) FROM transfer t WHERE t.destination = a.id), 0)
                    - coalesce((SELECT sum(t.amount) FROM transfer t WHERE t.source = a.id), 0)""");
        assertNone(pool, "ids both refused and in the log", """
                SELECT r.id FROM transfer_refusal r JOIN transfer t ON t.id = r.id""");
    }

    private static void assertNone(Pool pool, String what, String sql) {
        long violations = Db.number(pool, "SELECT count(*) FROM (" + sql + ") AS violations");
        assertEquals(0, violations, what);
    }
}
