-- GET /accounts/{id}/balance in one plan: account_balance() becomes a single-SELECT SQL
-- function, which PostgreSQL inlines into the service's prepared statement.
--
-- Before, a balance read ran three PL/pgSQL calls (account_balance, known_account, balance_at),
-- each its own executor start-up and each statement inside them another, plus RETURN QUERY's
-- tuple store. Now the account lookup, the 8 lane probes and the chain probe are one plan that
-- the prepared statement keeps. Measured with pgbench -M prepared and
-- load-tests/pgbench/ledger_balance.sql on two copies of the benchmark database (10,000 accounts,
-- 4.2M transfers), one migrated, 8 s runs alternated, 3 each: 11,340 (10,996 11,340 11,819)
-- reads/s before against 14,078 (14,078 13,947 14,326) after at 2 clients (1.24x); mean latency
-- at 1 client 0.167 ms (0.189 0.167 0.157) against 0.132 ms (0.132 0.128 0.136).
--
-- What changes for a caller: an unknown account is now no row instead of error LG006 (the
-- service answers 404 on no row, as it does for GET /accounts/{id}).
--
-- The formula stays in one place: balance_lookup() is balance_at() as an inlinable one-row table
-- function, and balance_at() (the view, the transfer listing) now reads through it too.
CREATE FUNCTION balance_lookup(p_account uuid, p_at timestamptz)
RETURNS TABLE (balance bigint)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1 AS $$
  SELECT (credited.total - coalesce(debited.source_debited, 0))::bigint
  FROM credits_at(p_account, p_at) AS credited
  LEFT JOIN LATERAL (
    SELECT t.source_debited
    FROM transfer t
    WHERE t.source = p_account AND t.created_at <= p_at
    ORDER BY t.created_at DESC
    LIMIT 1) AS debited ON true
$$;

CREATE OR REPLACE FUNCTION balance_at(p_account uuid, p_at timestamptz) RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    found_balance bigint;
BEGIN
    SELECT b.balance INTO found_balance FROM balance_lookup(p_account, p_at) AS b;
    RETURN found_balance;
END
$$;

-- The instant is computed once, in a sub-select whose volatile clock_timestamp() keeps the
-- planner from pulling it up: every probe and the answer's `at` use the same instant. A volatile
-- argument or a VOLATILE declaration would stop the inlining, so the clock is read in here.
CREATE OR REPLACE FUNCTION account_balance(p_account uuid, p_at timestamptz)
RETURNS TABLE (account_id uuid, currency text, balance bigint, at timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT a.id, a.currency, b.balance, instant.at
  FROM (SELECT least(p_at, clock_timestamp()) AS at) AS instant
  JOIN account a ON a.id = p_account
  CROSS JOIN LATERAL balance_lookup(a.id, instant.at) AS b
$$;
