-- One transfer per transaction through the ledger's own function and every rule, between random
-- accounts (a draw of source = destination is refused by the rules and counted as a failure).
\set src random(1, :accounts)
\set dst random(1, :accounts - 1)
\set dst case when :dst >= :src then :dst + 1 else :dst end
SELECT outcome FROM post_transfer(NULL,
  ('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(:src), 12, '0'))::uuid,
  ('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(:dst), 12, '0'))::uuid, 1, NULL, NULL, NULL);
