-- :batch rows into transfer with every derived column given, as a set-based design would insert
-- them: the cost of the rows and their 5 index entries alone (docs/benchmarks.md, record K).
-- Only on a scratch copy whose triggers are off (ALTER TABLE transfer DISABLE TRIGGER ALL):
-- the rows it writes follow none of the ledger's rules.
INSERT INTO transfer (source, index, destination, amount, created_at, source_debited, source_balance_after,
                      credit_lane, credit_lane_seq, credit_lane_total)
SELECT gen_random_uuid(), 1, ('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(d), 12, '0'))::uuid, 1, clock_timestamp(),
       1, 0, 0, (random() * 9e18)::bigint, 1
  FROM (SELECT 1 + floor(random() * :accounts)::int AS d FROM generate_series(1, :batch)) AS pair;
