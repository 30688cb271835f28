-- One point-in-time balance of a random account at a random instant of the last :window_ms
-- milliseconds: the query behind GET /accounts/{id}/balance?at=...
\set a random(1, :accounts)
\set ago random(1, :window_ms)
SELECT balance FROM account_balance(('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(:a::int), 12, '0'))::uuid,
                                    clock_timestamp() - make_interval(secs => :ago / 1000.0));
