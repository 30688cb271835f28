-- One balance read of a random account: the query behind GET /accounts/{id}/balance.
\set a random(1, :accounts)
SELECT balance FROM account_balance(('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(:a), 12, '0'))::uuid, NULL);
