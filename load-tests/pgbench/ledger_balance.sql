-- One balance read of a random account: the query behind GET /accounts/{id}/balance.
-- (:a::int lets it run with -M prepared too, as the service sends it.)
\set a random(1, :accounts)
SELECT balance FROM account_balance(('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(:a::int), 12, '0'))::uuid, NULL);
