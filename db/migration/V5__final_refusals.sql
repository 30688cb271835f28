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

-- Every writer, not only post_transfers: an id once refused never enters the log (open_account
-- reuses the account's id for its funding transfer; psql inserts directly). The id lock makes a
-- refusal being recorded for this id either commit before this check, or see this row.
-- Named to fire before transfer_append (triggers fire in name order), so the id lock comes first.
CREATE FUNCTION transfer_accepts_no_refused_id() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(id_lock_key(NEW.id));
    IF EXISTS (SELECT FROM transfer_refusal r WHERE r.id = NEW.id) THEN
        RAISE EXCEPTION USING ERRCODE = 'unique_violation', CONSTRAINT = 'transfer_refusal_pkey',
            MESSAGE = format('transfer %s was refused before; a refused id is never used again', NEW.id);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER transfer_accepts_no_refused_id BEFORE INSERT ON transfer
    FOR EACH ROW EXECUTE FUNCTION transfer_accepts_no_refused_id();
ALTER TABLE transfer ENABLE ALWAYS TRIGGER transfer_accepts_no_refused_id;

-- The answer row of an item that failed, in post_transfers' result shape.
CREATE FUNCTION post_transfers_failure(p_ordinal int, p_state text, p_message text, p_detail text,
                                       p_constraint text, p_id uuid)
RETURNS TABLE (ordinal int, outcome text, error_state text, error_message text, error_detail text,
               error_constraint text, id uuid, source uuid, index bigint, destination uuid, amount bigint,
               currency text, description text, metadata jsonb, created_at timestamptz,
               source_balance_after bigint)
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_ordinal, 'failed', p_state, p_message, nullif(p_detail, ''), nullif(p_constraint, ''), p_id,
           NULL::uuid, NULL::bigint, NULL::uuid, NULL::bigint, NULL::text, NULL::text, NULL::jsonb,
           NULL::timestamptz, NULL::bigint
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
    -- The refusal lookup below must see what committed while this transaction waited for the id
    -- lock: each statement's own snapshot, which only READ COMMITTED gives.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = 'post_transfers needs READ COMMITTED, not ' || current_setting('transaction_isolation');
    END IF;
    FOR item IN
        SELECT i.*
          FROM unnest(p_ids, p_sources, p_destinations, p_amounts, p_expected_indexes, p_descriptions, p_metadata)
               WITH ORDINALITY AS i(id, source, destination, amount, expected_index, description, metadata, n)
         ORDER BY i.source, i.n
    LOOP
        IF item.id IS NOT NULL THEN
            BEGIN
                PERFORM pg_advisory_xact_lock(id_lock_key(item.id));
            EXCEPTION WHEN OTHERS THEN
                -- A deadlock on this id fails this item alone; the service retries it.
                GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
                RETURN QUERY SELECT * FROM post_transfers_failure(item.n::int, state, message, NULL, NULL, item.id);
                CONTINUE;
            END;
            SELECT * INTO refused FROM transfer_refusal r WHERE r.id = item.id;
            IF FOUND THEN
                IF refused.source = item.source AND refused.destination = item.destination
                   AND refused.amount = item.amount
                   AND refused.expected_index IS NOT DISTINCT FROM item.expected_index
                   AND refused.description IS NOT DISTINCT FROM item.description
                   AND refused.metadata IS NOT DISTINCT FROM item.metadata::jsonb THEN
                    RETURN QUERY SELECT * FROM post_transfers_failure(item.n::int, refused.error_state,
                        refused.error_message, refused.error_detail, refused.error_constraint, item.id);
                ELSE
                    RETURN QUERY SELECT * FROM post_transfers_failure(item.n::int, '23505',
                        format('transfer %s was refused before for a request with different content', item.id),
                        NULL, 'transfer_refusal_pkey', item.id);
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
            RETURN QUERY SELECT * FROM post_transfers_failure(item.n::int, state, message, detail, constraint_name,
                                                              item.id);
        END;
    END LOOP;
END
$$;
