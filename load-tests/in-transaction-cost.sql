-- What PostgreSQL spends inside one transaction, with no commit, parse or round trip in the
-- figures (docs/benchmarks.md, record O). On a database set up by load-tests/pgbench/setup.sql,
-- e.g. the ledger_bench that bench.sh leaves behind with PostgreSQL running (after a reboot:
-- pg_ctlcluster 15 main start):
--   for round in 1 2 3; do runuser -u postgres -- psql -q -d ledger_bench < load-tests/in-transaction-cost.sql; done
-- Each line is microseconds per call. Everything it writes is rolled back.
--   insert             one INSERT into transfer between random accounts, through its triggers
--   post_transfers/1   the service's statement with one such transfer, which makes that INSERT
--   perform / simple   one call as a PL/pgSQL statement through the executor (PERFORM), and as
--                      a simple expression: what a statement of a function costs by itself
--   set clause         a call of a PL/pgSQL function with a SET search_path clause (V13 gives
--                      every ledger function one), against one without
\set ON_ERROR_STOP 1
\pset tuples_only on
\pset format unaligned
\pset fieldsep ' '

-- One call of either statement between random accounts; µs per call. PostgreSQL's buffers do not
-- hold a large ledger, so the first calls of a session read pages that later ones find: a
-- warm-up pass goes first, then the two alternate.
CREATE FUNCTION pg_temp.cost_of(p_statement text, p_calls int) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
    started  timestamptz := clock_timestamp();
    source   uuid;
    target   uuid;
    source_n int;
    target_n int;
BEGIN
    FOR k IN 1 .. p_calls LOOP
        source_n := 1 + floor(random() * 10000)::int;
        target_n := 1 + floor(random() * 9999)::int;
        IF target_n >= source_n THEN target_n := target_n + 1; END IF;
        source := ('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(source_n), 12, '0'))::uuid;
        target := ('bbbbbbbb-0000-4000-8000-' || lpad(to_hex(target_n), 12, '0'))::uuid;
        IF p_statement = 'post_transfers/1' THEN
            PERFORM post_transfers(ARRAY[uuid_v7()], ARRAY[source], ARRAY[target], ARRAY[1::bigint],
                                   ARRAY[NULL::bigint], ARRAY[NULL::text], ARRAY[NULL::text]);
        ELSE
            INSERT INTO transfer (id, source, destination, amount) VALUES (uuid_v7(), source, target, 1);
        END IF;
    END LOOP;
    RETURN round(extract(epoch FROM clock_timestamp() - started) * 1e6 / p_calls, 1);
END
$$;
-- Each pass in a transaction of its own, rolled back: a transaction holds the locks of all its
-- transfers until it ends.
BEGIN; SELECT 'warm-up', pg_temp.cost_of('post_transfers/1', 2000); ROLLBACK;
BEGIN; SELECT 'warm-up', pg_temp.cost_of('insert', 2000); ROLLBACK;
BEGIN; SELECT 'insert', pg_temp.cost_of('insert', 2000), 'us'; ROLLBACK;
BEGIN; SELECT 'post_transfers/1', pg_temp.cost_of('post_transfers/1', 2000), 'us'; ROLLBACK;
BEGIN; SELECT 'insert', pg_temp.cost_of('insert', 2000), 'us'; ROLLBACK;
BEGIN; SELECT 'post_transfers/1', pg_temp.cost_of('post_transfers/1', 2000), 'us'; ROLLBACK;

-- One lock key, taken again and again: the lock manager's part is the same in both forms.
CREATE FUNCTION pg_temp.statement_cost(p_form text, p_calls int) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
    started timestamptz := clock_timestamp();
    taken   boolean;
BEGIN
    FOR k IN 1 .. p_calls LOOP
        IF p_form = 'perform' THEN
            PERFORM pg_try_advisory_xact_lock(42);
        ELSE
            taken := pg_try_advisory_xact_lock(42);
        END IF;
    END LOOP;
    RETURN round(extract(epoch FROM clock_timestamp() - started) * 1e6 / p_calls, 2);
END
$$;
CREATE FUNCTION pg_temp.next_plain(p int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN p + 1; END $$;
CREATE FUNCTION pg_temp.next_with_set(p int) RETURNS int LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$ BEGIN RETURN p + 1; END $$;
CREATE FUNCTION pg_temp.call_cost(p_with_set boolean, p_calls int) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
    started timestamptz := clock_timestamp();
    v       int := 0;
BEGIN
    FOR k IN 1 .. p_calls LOOP
        v := CASE WHEN p_with_set THEN pg_temp.next_with_set(v) ELSE pg_temp.next_plain(v) END;
    END LOOP;
    RETURN round(extract(epoch FROM clock_timestamp() - started) * 1e6 / p_calls, 2);
END
$$;
BEGIN;
SELECT 'perform', pg_temp.statement_cost('perform', 20000), 'us';
SELECT 'simple', pg_temp.statement_cost('simple', 20000), 'us';
SELECT 'no set clause', pg_temp.call_cost(false, 50000), 'us';
SELECT 'set clause', pg_temp.call_cost(true, 50000), 'us';
ROLLBACK;
