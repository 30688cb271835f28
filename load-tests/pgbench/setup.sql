-- Accounts for the pgbench scripts, with ids pgbench can compute from an integer:
-- bbbbbbbb-0000-4000-8000-<12 hex digits of n>. Run after the service has migrated the schema.
-- 500 accounts per statement: each funding transfer holds its id, chain and lane advisory locks
-- until its transaction ends, and the lock table holds max_locks_per_transaction x
-- max_connections (6,400 with PostgreSQL's defaults).
-- psql -v accounts=10000 -f setup.sql
SELECT format($$
  SELECT count(*) AS opened
    FROM generate_series(%s, %s) AS n,
         LATERAL open_account(('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid,
                              'BENCH', 'regular', 1000000000000, NULL) AS o
   WHERE NOT EXISTS (SELECT 1 FROM account a
                      WHERE a.id = ('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid)$$,
  chunk, least(chunk + 499, :accounts))
  FROM generate_series(1, :accounts, 500) AS chunk
\gexec

-- The "one commit per transfer" ceiling: a log table with the same key and no rules at all.
CREATE TABLE IF NOT EXISTS bench_plain_log (
    source      uuid   NOT NULL,
    index       bigint NOT NULL,
    destination uuid   NOT NULL,
    amount      bigint NOT NULL,
    PRIMARY KEY (source, index)
);
CREATE SEQUENCE IF NOT EXISTS bench_plain_log_index;
