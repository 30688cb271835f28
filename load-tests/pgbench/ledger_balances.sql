-- :batch balance reads of random accounts in one statement: the query behind GET /balances
-- (V16), for the database's ceiling of list reads and their cost per account. The ids come in
-- through a lateral reference, as the service's parameter does: an ARRAY(SELECT ...) argument
-- would keep PostgreSQL from inlining account_balances().
SELECT count(*) FROM (
  SELECT ARRAY(SELECT ('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(1 + floor(random() * :accounts)::int), 12, '0'))::uuid
                 FROM generate_series(1, :batch)) AS ids) AS asked,
  LATERAL account_balances(asked.ids, NULL);
