-- post_transfers answers a lone transfer without RETURN QUERY.
--
-- A batch of one transfer is the service's statement whenever a request finds no other waiting,
-- that is at any load below saturation. Its answer was one RETURN QUERY over the new rows, which
-- runs its query into a result store of its own, sorted by item. For one row that machinery, not
-- reading the row, was the dear part: on copies of one database, reading the lone row into the
-- output columns and returning it with RETURN NEXT (below) cost about as little as answering
-- nothing at all. Batches of more items keep RETURN QUERY, whose cost they share. The answers are the same either way
-- (DatabaseRulesTest.aCreatedItemIsAnsweredWithItsRowWhetherOrNotANeighbourWasRefused).
--
-- Measured (docs/benchmarks.md, record O), PostgreSQL CPU per post_transfers call, one client,
-- on copies of one benchmark database, medians of 5 alternated runs of
-- `DATABASES="<before> <after>" STATEMENTS="ledger_batch/1 ledger_batch/8" load-tests/statement-cost.sh`,
-- in two series on a noisy machine: with 1 transfer 673 against 592 µs, then 871 against 802
-- (every run after at or below its pair in both); answering nothing at all, 602. With 8
-- transfers 1,963 against 1,944 µs: no change, as expected.
--
-- As in V11, with V13's SECURITY DEFINER and search_path, which CREATE OR REPLACE would
-- otherwise drop (the grants stay).

CREATE OR REPLACE FUNCTION post_transfers(p_ids uuid[], p_sources uuid[], p_destinations uuid[], p_amounts bigint[],
                                          p_expected_indexes bigint[], p_descriptions text[], p_metadata text[])
RETURNS TABLE (ordinal int, outcome text, error_state text, error_message text, error_detail text,
               error_constraint text, id uuid, source uuid, index bigint, destination uuid, amount bigint,
               currency text, description text, metadata jsonb, created_at timestamptz,
               source_balance_after bigint)
LANGUAGE plpgsql SECURITY DEFINER
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

    -- Every item appended now: each answer is its new row. A lone item's row is read into the
    -- output columns and returned as it is, without RETURN QUERY (see the top of this file).
    IF NOT refused AND cardinality(appended) = cardinality(ids) THEN
        IF cardinality(ids) = 1 THEN
            SELECT 1, 'created', NULL, NULL, NULL, NULL, v.id, v.source, v.index, v.destination, v.amount,
                   v.currency, v.description, v.metadata, v.created_at, v.source_balance_after
              INTO ordinal, outcome, error_state, error_message, error_detail, error_constraint, id, source, index,
                   destination, amount, currency, description, metadata, created_at, source_balance_after
              FROM transfer_view AS v
             WHERE v.id = ids[1];
            RETURN NEXT;
            RETURN;
        END IF;
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

DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION post_transfers(uuid[], uuid[], uuid[], bigint[], bigint[], text[], text[])'
                   ' SET search_path = %I, pg_temp', current_schema());
END
$$;
