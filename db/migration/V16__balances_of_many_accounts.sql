-- GET /balances: the balances of many accounts, read in one statement at one instant.
--
-- One statement sees one snapshot, and every row it sees is counted on both of its sides (the
-- source's running debit total and the destination's lane total), so the balances it answers are
-- consistent with each other: read together, the balances of every account of a currency sum to
-- 0. Separate reads cannot promise that, since a transfer may commit between them.
--
-- The same formula as account_balance() (V8), per account: balance_lookup() at one instant,
-- chosen once as there. Inlined into the service's prepared statement like account_balance().
-- An id with no account comes back as a row with a NULL account_id, in its place, so the caller
-- can name it. Rows come back in the order of p_accounts (its ordinal), duplicates included.
CREATE FUNCTION account_balances(p_accounts uuid[], p_at timestamptz)
RETURNS TABLE (ordinal bigint, requested uuid, account_id uuid, currency text, balance bigint, at timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT asked.ordinal, asked.id, a.id, a.currency, b.balance, instant.at
  FROM (SELECT least(p_at, clock_timestamp()) AS at) AS instant
  CROSS JOIN unnest(p_accounts) WITH ORDINALITY AS asked(id, ordinal)
  -- One primary-key probe per id: as a plain join the planner, guessing the array's length,
  -- hashed the ids and scanned the whole account table (2.7 ms at 2,500 accounts).
  LEFT JOIN LATERAL (SELECT known.id, known.currency FROM account known WHERE known.id = asked.id LIMIT 1) AS a
    ON true
  LEFT JOIN LATERAL balance_lookup(a.id, instant.at) AS b ON true
  ORDER BY asked.ordinal
$$;
