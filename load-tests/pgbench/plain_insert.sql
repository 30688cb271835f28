-- One INSERT per transaction into a keyed log with no triggers: the raw database ceiling.
\set src random(1, :accounts)
\set dst random(1, :accounts)
INSERT INTO bench_plain_log VALUES
  (('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(:src::int), 12, '0'))::uuid, nextval('bench_plain_log_index'),
   ('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(:dst::int), 12, '0'))::uuid, 1);
