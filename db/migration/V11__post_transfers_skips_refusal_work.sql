-- post_transfers answers a batch in which every item was appended without the refusal
-- bookkeeping.
--
-- Every statement a PL/pgSQL function runs pays its executor start-up, whatever it then finds:
-- the plan's nodes, their expressions and the relations they open are set up on each call. For
-- a batch of one transfer, the service's statement under light load, that set-up is a large part
-- of the call (`perf` on a backend: hash-join and sort initialisation, expression compilation).
-- V6 ran two statements for every batch that only a refusal needs: the INSERT of final
-- refusals, empty when nothing was refused, and the answer query, which joins each item to this
-- call's refusals (parsed from ledger.refusals), to transfer_refusal and to transfer_view
-- through hash joins sized for a thousand items.
--
-- Now, when the INSERT appended every item and the trigger reported no refusal, the answers are
-- the new rows, read through transfer_view in one nested-loop join, and the call ends there. The
-- refusal INSERT runs only when the trigger reported a refusal, and the general answer query only
-- when an item was not appended now (refused now or before, or found: a replay or a conflict).
-- The answers are the same either way
-- (DatabaseRulesTest.aCreatedItemIsAnsweredWithItsRowWhetherOrNotANeighbourWasRefused).
--
-- Measured (record J in docs/benchmarks.md): PostgreSQL CPU per post_transfers call, one client,
-- `DATABASES="<before> <after>" load-tests/statement-cost.sh` on two copies of the benchmark
-- database (10,000 accounts, 4.2M transfers), medians of 3 alternated runs: with 1 transfer 690
-- µs before against 590 after, with 8 transfers 2,339 against 2,021, with 50 transfers 10,739
-- against 11,586 (runs 9,713 to 11,873 and 9,680 to 11,901: within the noise); an INSERT through
-- the trigger alone, which this does not change, 336 against 338. Over HTTP, single transfers
-- at 1,000 requests/s (WORKLOAD=transfers RATE=1000 load-tests/profile.sh, 3 alternated runs):
-- 636 µs of PostgreSQL CPU per transfer before against 497 after.

-- As in V6, with the refusal bookkeeping only when something was refused, and one plain join
-- to answer a batch whose items were all appended now. The SET clause is V10's, which
-- CREATE OR REPLACE would otherwise drop.
CREATE OR REPLACE FUNCTION post_transfers(p_ids uuid[], p_sources uuid[], p_destinations uuid[], p_amounts bigint[],
                                          p_expected_indexes bigint[], p_descriptions text[], p_metadata text[])
RETURNS TABLE (ordinal int, outcome text, error_state text, error_message text, error_detail text,
               error_constraint text, id uuid, source uuid, index bigint, destination uuid, amount bigint,
               currency text, description text, metadata jsonb, created_at timestamptz,
               source_balance_after bigint)
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
    ids      uuid[];
    appended uuid[];
    refused  boolean;
BEGIN
    IF cardinality(p_ids) > 1000 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = 'at most 1000 transfers per batch';
    END IF;
    -- The lookups after the id locks must see what committed while this transaction waited for
    -- them: each statement's own snapshot, which only READ COMMITTED gives.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = 'post_transfers needs READ COMMITTED, not ' || current_setting('transaction_isolation');
    END IF;
    -- An item without an id gets one here, so that every item is found by its id below. It is
    -- never recorded as a refusal: nobody can retry an id they were never told.
    ids := ARRAY(SELECT coalesce(i.id, uuid_v7()) FROM unnest(p_ids) WITH ORDINALITY AS i(id, n) ORDER BY i.n);
    IF (SELECT count(DISTINCT i) <> count(*) FROM unnest(ids) AS i) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = 'an id appears twice in the batch';
    END IF;
    -- Attempts with the same id queue here, and each lock is held until commit: whichever attempt
    -- takes it first decides, and every later one sees that decision. One global order, so that
    -- two batches never wait for each other's ids.
    PERFORM pg_advisory_xact_lock(k.key)
       FROM (SELECT DISTINCT id_lock_key(i) AS key FROM unnest(ids) AS i ORDER BY 1) AS k;

    -- Items neither appended nor refused before, in source order (arrival order within a source),
    -- so that concurrent batches take source locks in one order.
    PERFORM set_config('ledger.soft_refusals', 'on', true), set_config('ledger.refusals', '', true);
    WITH appended_rows AS (
        INSERT INTO transfer (id, source, index, destination, amount, description, metadata)
        SELECT i.id, i.source, i.expected_index, i.destination, i.amount, i.description, i.metadata
          FROM batch_items(ids, p_sources, p_destinations, p_amounts, p_expected_indexes, p_descriptions,
                           p_metadata) AS i
         WHERE NOT EXISTS (SELECT FROM transfer t WHERE t.id = i.id)
           AND NOT EXISTS (SELECT FROM transfer_refusal r WHERE r.id = i.id)
         ORDER BY i.source, i.n
        RETURNING transfer.id)
    SELECT array_agg(a.id) INTO appended FROM appended_rows AS a;
    PERFORM set_config('ledger.soft_refusals', 'off', true);
    refused := current_setting('ledger.refusals') <> '';

    -- Every item appended now: each answer is its new row.
    IF NOT refused AND cardinality(appended) = cardinality(ids) THEN
        RETURN QUERY
        SELECT i.n::int, 'created', NULL::text, NULL::text, NULL::text, NULL::text, v.id, v.source, v.index,
               v.destination, v.amount, v.currency, v.description, v.metadata, v.created_at, v.source_balance_after
          FROM unnest(ids) WITH ORDINALITY AS i(id, n)
          JOIN transfer_view AS v ON v.id = i.id
         ORDER BY i.n;
        RETURN;
    END IF;

    IF refused THEN
        INSERT INTO transfer_refusal (id, source, destination, amount, expected_index, description, metadata,
                                      error_state, error_message, error_detail, error_constraint)
        SELECT i.id, i.source, i.destination, i.amount, i.expected_index, i.description, i.metadata,
               f.state, f.message, f.detail, f.constraint_name
          FROM soft_refusals_reported() AS f
          JOIN batch_items(ids, p_sources, p_destinations, p_amounts, p_expected_indexes, p_descriptions,
                           p_metadata) AS i ON i.id = f.id
         WHERE p_ids[i.n] IS NOT NULL AND is_final_refusal(f.state);
    END IF;
    -- Each item's answer: refused now (f), refused before (r: the same refusal, or a conflict
    -- when the content differs), or the transfer with its id (v: created now, or a replay or
    -- conflict of an earlier one). A replay may leave expected_index out.
    RETURN QUERY
    WITH answer AS (
        SELECT i.n, i.id AS item_id, f, r, v AS posted,
               CASE
                   WHEN f.id IS NOT NULL THEN f.state
                   WHEN r.id IS NULL AND v.id IS NULL THEN 'XX000'
                   WHEN r.id IS NULL THEN NULL
                   WHEN (r.source, r.destination, r.amount, r.expected_index, r.description, r.metadata)
                        IS NOT DISTINCT FROM (i.source, i.destination, i.amount, i.expected_index, i.description,
                                              i.metadata) THEN r.error_state
                   ELSE '23505' END AS state,
               CASE WHEN v.id IS NULL THEN 'failed'
                    WHEN v.id = ANY (appended) THEN 'created'
                    WHEN (v.source, v.destination, v.amount, v.index, v.description, v.metadata)
                         IS NOT DISTINCT FROM (i.source, i.destination, i.amount,
                                               coalesce(i.expected_index, v.index), i.description, i.metadata)
                    THEN 'replayed' ELSE 'conflict' END AS outcome
          FROM batch_items(ids, p_sources, p_destinations, p_amounts, p_expected_indexes, p_descriptions,
                           p_metadata) AS i
          LEFT JOIN soft_refusals_reported() AS f ON f.id = i.id
          LEFT JOIN transfer_refusal AS r ON r.id = i.id AND f.id IS NULL
          LEFT JOIN transfer_view AS v ON v.id = i.id)
    SELECT a.n::int, a.outcome, a.state,
           CASE WHEN (a.f).id IS NOT NULL THEN (a.f).message
                WHEN a.state = 'XX000' THEN format('transfer %s was neither appended nor refused', a.item_id)
                WHEN a.state = '23505' THEN
                    format('transfer %s was refused before for a request with different content', a.item_id)
                ELSE (a.r).error_message END,
           CASE WHEN (a.f).id IS NOT NULL THEN (a.f).detail
                WHEN a.state = (a.r).error_state THEN (a.r).error_detail END,
           CASE WHEN (a.f).id IS NOT NULL THEN (a.f).constraint_name
                WHEN a.state = '23505' THEN 'transfer_refusal_pkey'
                WHEN a.state = (a.r).error_state THEN (a.r).error_constraint END,
           a.item_id, (a.posted).source, (a.posted).index, (a.posted).destination, (a.posted).amount,
           (a.posted).currency, (a.posted).description, (a.posted).metadata, (a.posted).created_at,
           (a.posted).source_balance_after
      FROM answer AS a
     ORDER BY a.n;
END
$$;

