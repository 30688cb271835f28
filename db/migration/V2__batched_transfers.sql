-- Many transfers in one transaction and one round trip: the service coalesces concurrent
-- POST /transfers into one call, so one commit (one WAL flush) serves them all.
--
-- Each item runs post_transfer() in its own subtransaction: a refused item (insufficient funds,
-- unknown account, ...) rolls back alone and is answered with its own error; the others commit.
-- Items are taken in source order (arrival order within a source), so concurrent batches take
-- source locks in one order. Keep batches at most 64 items: more subtransactions than that
-- overflow PostgreSQL's per-backend subtransaction cache and slow every other snapshot.
CREATE FUNCTION post_transfers(p_ids uuid[], p_sources uuid[], p_destinations uuid[], p_amounts bigint[],
                               p_expected_indexes bigint[], p_descriptions text[], p_metadata text[])
RETURNS TABLE (ordinal int, outcome text, error_state text, error_message text, error_detail text,
               error_constraint text, id uuid, source uuid, index bigint, destination uuid, amount bigint,
               currency text, description text, metadata jsonb, created_at timestamptz,
               source_balance_after bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    item             record;
    state            text;
    message          text;
    detail           text;
    constraint_name  text;
BEGIN
    IF cardinality(p_ids) > 1000 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = 'at most 1000 transfers per batch';
    END IF;
    FOR item IN
        SELECT i.*
          FROM unnest(p_ids, p_sources, p_destinations, p_amounts, p_expected_indexes, p_descriptions, p_metadata)
               WITH ORDINALITY AS i(id, source, destination, amount, expected_index, description, metadata, n)
         ORDER BY i.source, i.n
    LOOP
        BEGIN
            RETURN QUERY
            SELECT item.n::int, r.outcome, NULL::text, NULL::text, NULL::text, NULL::text,
                   r.id, r.source, r.index, r.destination, r.amount, r.currency, r.description, r.metadata,
                   r.created_at, r.source_balance_after
              FROM post_transfer(item.id, item.source, item.destination, item.amount, item.expected_index,
                                 item.description, item.metadata::jsonb) r;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                                    detail = PG_EXCEPTION_DETAIL, constraint_name = CONSTRAINT_NAME;
            RETURN QUERY
            SELECT item.n::int, 'failed', state, message, nullif(detail, ''), nullif(constraint_name, ''),
                   item.id, NULL::uuid, NULL::bigint, NULL::uuid, NULL::bigint, NULL::text, NULL::text,
                   NULL::jsonb, NULL::timestamptz, NULL::bigint;
        END;
    END LOOP;
END
$$;
