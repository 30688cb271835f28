-- A refusal is as final as an acceptance (docs/design.md, "A refusal is final").
--
-- Before this, a refused transfer left no trace, so its id stayed free. With the database paused
-- for longer than the service's timeout, the bank check found transfers answered 422 that were
-- in the log anyway: the client's first attempt was still queued inside PostgreSQL when the
-- service answered it 503; the retry with the same id ran first and was refused for funds; then
-- the first attempt ran, found the funds (other transfers had moved money in) and committed.
-- Each statement was right; the answer "refused" was not final.
--
-- Now a refusal that depends on the ledger's state (missing account, other currency, funds,
-- expected index, 64-bit range) is recorded under the id, in the same transaction, while the id
-- lock is held. Every later attempt of that id, however late it reaches the database, gets the
-- same refusal and can never commit. A client that wants to try again after funding the account
-- uses a new id (TigerBeetle's id_already_failed). Refusals that cannot depend on state
-- (validation) need no record, and transient failures (deadlock, serialization, a lost
-- connection) are never recorded: they are retried with the same id.
CREATE TABLE transfer_refusal (
    id               uuid        PRIMARY KEY,
    -- The refused request, so that a retry with other content is a conflict, not a replay.
    source           uuid        NOT NULL,
    destination      uuid        NOT NULL,
    amount           bigint      NOT NULL,
    expected_index   bigint,
    description      text,
    metadata         jsonb,
    -- PostgreSQL's error, answered again to every later attempt.
    error_state      text        NOT NULL,
    error_message    text        NOT NULL,
    error_detail     text,
    error_constraint text,
    refused_at       timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TRIGGER transfer_refusal_immutable BEFORE UPDATE OR DELETE ON transfer_refusal
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER transfer_refusal_no_truncate BEFORE TRUNCATE ON transfer_refusal
    FOR EACH STATEMENT EXECUTE FUNCTION reject_change();
ALTER TABLE transfer_refusal ENABLE ALWAYS TRIGGER transfer_refusal_immutable;
ALTER TABLE transfer_refusal ENABLE ALWAYS TRIGGER transfer_refusal_no_truncate;

GRANT SELECT, INSERT ON transfer_refusal TO "${service_role}";

-- The refusals that depend on the ledger's state, and so could be decided otherwise later.
CREATE FUNCTION is_final_refusal(p_sqlstate text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p_sqlstate IN ('LG001', 'LG002', 'LG003', 'LG004', '22003')
$$;

-- As in V2, plus: each item takes its id lock in the batch's own transaction, so the lock is held
-- until commit even when the item's subtransaction is rolled back; under it, an id refused before
-- is answered with its recorded refusal, and a new final refusal is recorded.
CREATE OR REPLACE FUNCTION post_transfers(p_ids uuid[], p_sources uuid[], p_destinations uuid[], p_amounts bigint[],
                                          p_expected_indexes bigint[], p_descriptions text[], p_metadata text[])
RETURNS TABLE (ordinal int, outcome text, error_state text, error_message text, error_detail text,
               error_constraint text, id uuid, source uuid, index bigint, destination uuid, amount bigint,
               currency text, description text, metadata jsonb, created_at timestamptz,
               source_balance_after bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    item             record;
    refused          transfer_refusal;
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
        IF item.id IS NOT NULL THEN
            PERFORM pg_advisory_xact_lock(id_lock_key(item.id));
            SELECT * INTO refused FROM transfer_refusal r WHERE r.id = item.id;
            IF FOUND THEN
                IF refused.source = item.source AND refused.destination = item.destination
                   AND refused.amount = item.amount
                   AND refused.expected_index IS NOT DISTINCT FROM item.expected_index
                   AND refused.description IS NOT DISTINCT FROM item.description
                   AND refused.metadata IS NOT DISTINCT FROM item.metadata::jsonb THEN
                    RETURN QUERY
                    SELECT item.n::int, 'failed', refused.error_state, refused.error_message,
                           refused.error_detail, refused.error_constraint, item.id, NULL::uuid, NULL::bigint,
                           NULL::uuid, NULL::bigint, NULL::text, NULL::text, NULL::jsonb,
                           NULL::timestamptz, NULL::bigint;
                ELSE
                    RETURN QUERY
                    SELECT item.n::int, 'failed', '23505', format('transfer %s was refused before for a '
                               'request with different content', item.id), NULL::text,
                           'transfer_refusal_pkey', item.id, NULL::uuid, NULL::bigint, NULL::uuid,
                           NULL::bigint, NULL::text, NULL::text, NULL::jsonb, NULL::timestamptz, NULL::bigint;
                END IF;
                CONTINUE;
            END IF;
        END IF;
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
            IF item.id IS NOT NULL AND is_final_refusal(state) THEN
                INSERT INTO transfer_refusal (id, source, destination, amount, expected_index, description,
                                              metadata, error_state, error_message, error_detail, error_constraint)
                VALUES (item.id, item.source, item.destination, item.amount, item.expected_index,
                        item.description, item.metadata::jsonb, state, message, nullif(detail, ''),
                        nullif(constraint_name, ''));
            END IF;
            RETURN QUERY
            SELECT item.n::int, 'failed', state, message, nullif(detail, ''), nullif(constraint_name, ''),
                   item.id, NULL::uuid, NULL::bigint, NULL::uuid, NULL::bigint, NULL::text, NULL::text,
                   NULL::jsonb, NULL::timestamptz, NULL::bigint;
        END;
    END LOOP;
END
$$;
