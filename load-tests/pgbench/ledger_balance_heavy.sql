-- The balance of account 1, which holds a tenth of the seeded history (history.sql), now and at a
-- random instant of the last hour: the reads whose cost must not grow with history.
\set ago random(1, 3600000)
SELECT balance FROM account_balance('bbbbbbbb-0000-4000-8000-000000000001'::uuid, NULL);
SELECT balance FROM account_balance('bbbbbbbb-0000-4000-8000-000000000001'::uuid,
                                    clock_timestamp() - make_interval(secs => :ago / 1000.0));
