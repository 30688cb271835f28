-- One transfer per transaction as a plain INSERT into transfer: the triggers alone decide it,
-- without post_transfers around them (load-tests/statement-cost.sh).
\set src random(1, :accounts)
\set dst random(1, :accounts - 1)
\set dst case when :dst >= :src then :dst + 1 else :dst end
INSERT INTO transfer (source, destination, amount) VALUES
  (('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(:src::int), 12, '0'))::uuid,
   ('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(:dst::int), 12, '0'))::uuid, 1);
