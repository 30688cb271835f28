-- Accounts for the pgbench scripts, with ids pgbench can compute from an integer:
-- bbbbbbbb-0000-4000-8000-<12 hex digits of n>. Run after the service has migrated the schema.
-- psql -v accounts=10000 -f setup.sql
SELECT count(*) AS opened
  FROM generate_series(1, :accounts) AS n,
       LATERAL open_account(('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid,
                            'BENCH', 'regular', 1000000000000, NULL) AS o
 WHERE NOT EXISTS (SELECT 1 FROM account a
                    WHERE a.id = ('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid);

-- The "one commit per transfer" ceiling: a log table with the same key and no rules at all.
CREATE TABLE IF NOT EXISTS bench_plain_log (
    source      uuid   NOT NULL,
    index       bigint NOT NULL,
    destination uuid   NOT NULL,
    amount      bigint NOT NULL,
    PRIMARY KEY (source, index)
);
CREATE SEQUENCE IF NOT EXISTS bench_plain_log_index;
