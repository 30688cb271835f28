-- :batch transfers per transaction through post_transfers, all from one source.
SELECT count(*) FILTER (WHERE p.outcome = 'created') FROM (
  SELECT array_agg(gen_random_uuid()) AS ids,
         array_agg('bbbbbbbb-0000-4000-8000-000000000001'::uuid) AS sources,
         array_agg(('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(d), 12, '0'))::uuid) AS destinations,
         array_agg(1::bigint) AS amounts, array_agg(NULL::bigint) AS indexes,
         array_agg(NULL::text) AS descriptions, array_agg(NULL::text) AS metadata
    FROM (SELECT 2 + floor(random() * (:accounts - 1))::int AS d FROM generate_series(1, :batch)) AS pair) AS a,
  LATERAL post_transfers(a.ids, a.sources, a.destinations, a.amounts, a.indexes, a.descriptions, a.metadata) AS p;
