-- History for the history-independence benchmark: :transfers transfers of 1 between the
-- accounts of setup.sql, appended through the ledger's own trigger (every rule, every derived
-- total), 1,000 per statement: each transfer holds up to three advisory locks (id, chain, lane) until its
-- transaction ends, and the lock table holds max_locks_per_transaction x max_connections.
-- One in ten involves account 1 (as source or destination), so that account alone holds a
-- tenth of the history.
-- psql -v transfers=1000000 -v accounts=10000 -f history.sql
SELECT format($$
  INSERT INTO transfer (source, destination, amount)
  SELECT ('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(pair.s), 12, '0'))::uuid,
         ('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(pair.d), 12, '0'))::uuid, 1
    FROM generate_series(%s::bigint, %s) AS g,
         LATERAL (SELECT CASE WHEN g %% 20 = 0 THEN 1 ELSE 2 + (g * 7919) %% (%s - 1) END AS s,
                         CASE WHEN g %% 20 = 10 THEN 1 ELSE 2 + (g * 104729 + 1) %% (%s - 1) END AS d) AS pair
   WHERE pair.s <> pair.d$$,
  chunk, least(chunk + 999, :transfers), :accounts, :accounts)
  FROM generate_series(1, :transfers, 1000) AS chunk
\gexec
