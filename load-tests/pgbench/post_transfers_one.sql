-- One transfer per transaction through post_transfers, called as the service calls it: the
-- arrays are the statement's own arguments, with no outer query around the call. A check on
-- ledger_batch.sql/1, whose outer query builds the arrays (load-tests/statement-cost.sh,
-- docs/benchmarks.md, record P).
\set src random(1, :accounts)
\set dst random(1, :accounts - 1)
\set dst case when :dst >= :src then :dst + 1 else :dst end
SELECT * FROM post_transfers(ARRAY[gen_random_uuid()],
  ARRAY[('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(:src::int), 12, '0'))::uuid],
  ARRAY[('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(:dst::int), 12, '0'))::uuid], ARRAY[1::bigint],
  ARRAY[NULL::bigint], ARRAY[NULL::text], ARRAY[NULL::text]);
