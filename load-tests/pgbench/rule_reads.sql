-- Every read the rules of :batch transfers between random accounts need, in one set-based
-- statement and without writing: both accounts, the source's last transfer, its 8 credit lanes
-- (the balance) and the destination's lane. What a design that checks a batch set-based, rather
-- than row by row in a trigger, would still pay (docs/benchmarks.md, record K).
SELECT count(*), sum(credited.total), sum(last.source_debited), sum(lane.credit_lane_total)
  FROM (SELECT ('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(s), 12, '0'))::uuid AS source,
               ('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(CASE WHEN d >= s THEN d + 1 ELSE d END), 12, '0'))::uuid
                   AS destination
          FROM (SELECT 1 + floor(random() * :accounts)::int AS s, 1 + floor(random() * (:accounts - 1))::int AS d
                  FROM generate_series(1, :batch)) AS pair) AS item
  JOIN account s ON s.id = item.source
  JOIN account d ON d.id = item.destination AND d.currency = s.currency
  LEFT JOIN LATERAL (SELECT t.index, t.source_debited, t.created_at, t.source_balance_after FROM transfer t
                      WHERE t.source = item.source ORDER BY t.index DESC LIMIT 1) AS last ON true
  CROSS JOIN LATERAL credits_at(item.source, 'infinity') AS credited
  LEFT JOIN LATERAL (SELECT t.credit_lane_seq, t.credit_lane_total FROM transfer t
                      WHERE t.destination = item.destination AND t.credit_lane = 0
                      ORDER BY t.credit_lane_seq DESC LIMIT 1) AS lane ON true;
