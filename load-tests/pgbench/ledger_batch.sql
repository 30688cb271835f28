-- :batch transfers per transaction through post_transfers, the statement the service sends for a
-- batch, between random accounts: the database's ceiling for the batched path.
SELECT count(*) FILTER (WHERE p.outcome = 'created') FROM (
  SELECT array_agg(gen_random_uuid()) AS ids,
         array_agg(('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(s), 12, '0'))::uuid) AS sources,
         array_agg(('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(CASE WHEN d >= s THEN d + 1 ELSE d END), 12, '0'))::uuid)
             AS destinations,
         array_agg(1::bigint) AS amounts, array_agg(NULL::bigint) AS indexes,
         array_agg(NULL::text) AS descriptions, array_agg(NULL::text) AS metadata
    FROM (SELECT 1 + floor(random() * :accounts)::int AS s, 1 + floor(random() * (:accounts - 1))::int AS d
            FROM generate_series(1, :batch)) AS pair) AS a,
  LATERAL post_transfers(a.ids, a.sources, a.destinations, a.amounts, a.indexes, a.descriptions, a.metadata) AS p;
