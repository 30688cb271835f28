-- Every transfer from one source (as when an issuer funds new accounts), one per transaction.
\set dst random(2, :accounts)
SELECT outcome FROM post_transfer(NULL,
  'bbbbbbbb-0000-4000-8000-000000000001'::uuid,
  ('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(:dst), 12, '0'))::uuid, 1, NULL, NULL, NULL);
