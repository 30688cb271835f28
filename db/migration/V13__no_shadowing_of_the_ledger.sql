-- The service's role can no longer get around the rules with temporary tables, forge a refusal,
-- or create a currency's issuer by an account request that conflicts.
--
-- 1. Temporary tables. PostgreSQL looks a table name up in the session's temporary schema
--    (pg_temp) before any schema of search_path. Every role may create temporary tables unless
--    the TEMPORARY right on the database is taken away, and the trigger functions name their
--    tables without a schema. So a session of the service's role could create a temporary
--    "account" table saying its regular account is an issuer, and the trigger then read that
--    one: a regular account below zero, two currencies in one transfer, or, with a temporary
--    "transfer", an index gap and forged running totals in the real log. Now:
--    - no role but the owner may create temporary tables in this database;
--    - every PL/pgSQL function of the ledger runs with search_path = <its schema>, pg_temp, which
--      puts the temporary schema last. The SQL functions they call (credits_at, batch_items...)
--      are inlined into them and resolved with that path; a SET clause on those would stop
--      PostgreSQL inlining them. A SQL function a session calls directly resolves with the
--      session's own path, so a temporary table could only mislead that session's own read.
--    A migration that replaces a PL/pgSQL function must keep the SET clause, since CREATE OR
--    REPLACE resets it (DatabaseRolesTest.everyLedgerFunctionFixesItsSearchPath).
--
-- 2. Refusals. The service's role could INSERT into transfer_refusal, so it could record a
--    refusal the ledger never decided: a later retry of that id is then answered as refused, or a
--    created transfer as both replayed and refused. post_transfers is now SECURITY DEFINER (it
--    runs with the owner's rights and a fixed search_path) and only the service's role may call
--    it; the role's own INSERT right on transfer_refusal is revoked. Every refusal recorded is one
--    the trigger reported inside post_transfers. Not in a single-role setup, where the service's
--    role is the owner and keeps every right anyway.
--
-- 3. open_account created the default issuer of the requested currency before it found that
--    the id belonged to an account of another currency, so a 409 wrote an account. Now an id
--    taken by another currency is answered as a conflict first.
--
-- 4. The immutability triggers of the API keys are ENABLE ALWAYS, as the ledger's are, so that
--    session_replication_role = replica (superusers only) does not skip them either.

DO $$
BEGIN
    IF pg_has_role((SELECT datdba FROM pg_database WHERE datname = current_database()), 'MEMBER') THEN
        EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    ELSE
        RAISE WARNING 'not the owner of database %: PUBLIC keeps the right to create temporary tables there',
            current_database();
    END IF;
END
$$;

-- As in V1, but an id held by an account of another currency is a conflict before the
-- requested currency's issuer is looked up or created.
CREATE OR REPLACE FUNCTION open_account(p_id uuid, p_currency text, p_kind text, p_initial_balance bigint,
                                        p_metadata jsonb)
RETURNS TABLE (outcome text, id uuid, currency text, kind text, balance bigint, transfer_count bigint,
               created_at timestamptz, metadata jsonb)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    issuer_id  uuid;
    account_id uuid;
    existing   account;
    funded     bigint;
    result     text := 'created';
BEGIN
    IF p_initial_balance IS NULL OR p_initial_balance < 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = 'initial balance must be zero or more';
    END IF;
    SELECT * INTO existing FROM account a WHERE a.id = p_id;
    IF FOUND AND existing.currency <> p_currency THEN
        RETURN QUERY SELECT 'conflict', v.* FROM account_view v WHERE v.id = p_id;
        RETURN;
    END IF;
    -- Before the account's INSERT, so that an unknown currency format fails on the account's CHECK.
    issuer_id := default_issuer(p_currency);
    INSERT INTO account (id, currency, kind, metadata)
        VALUES (coalesce(p_id, uuid_v7()), p_currency, p_kind, p_metadata)
        ON CONFLICT ON CONSTRAINT account_pkey DO NOTHING
        RETURNING account.id INTO account_id;
    IF account_id IS NULL THEN
        SELECT * INTO existing FROM account a WHERE a.id = p_id;
        SELECT coalesce((SELECT t.amount FROM transfer t
                          WHERE t.id = p_id AND t.destination = p_id AND t.source = issuer_id), 0)
          INTO funded;
        account_id := p_id;
        result := CASE WHEN existing.currency = p_currency AND existing.kind = p_kind
                             AND existing.metadata IS NOT DISTINCT FROM p_metadata
                             AND funded = p_initial_balance
                       THEN 'replayed' ELSE 'conflict' END;
    ELSIF p_initial_balance > 0 THEN
        INSERT INTO transfer (id, source, destination, amount, description)
            VALUES (account_id, issuer_id, account_id, p_initial_balance, 'initial balance');
    END IF;
    RETURN QUERY SELECT result, v.* FROM account_view v WHERE v.id = account_id;
END
$$;

DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure
               FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
              WHERE p.pronamespace = current_schema()::regnamespace AND l.lanname = 'plpgsql'
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
    END LOOP;
END
$$;

ALTER FUNCTION post_transfers(uuid[], uuid[], uuid[], bigint[], bigint[], text[], text[]) SECURITY DEFINER;
REVOKE EXECUTE ON FUNCTION post_transfers(uuid[], uuid[], uuid[], bigint[], bigint[], text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION post_transfers(uuid[], uuid[], uuid[], bigint[], bigint[], text[], text[])
    TO "${service_role}";
DO $$
BEGIN
    IF '${service_role}' <> (SELECT tableowner FROM pg_tables
                              WHERE schemaname = current_schema() AND tablename = 'transfer_refusal') THEN
        REVOKE INSERT ON transfer_refusal FROM "${service_role}";
    END IF;
END
$$;

ALTER TABLE api_key ENABLE ALWAYS TRIGGER api_key_immutable;
ALTER TABLE api_key ENABLE ALWAYS TRIGGER api_key_no_truncate;
ALTER TABLE api_key_revocation ENABLE ALWAYS TRIGGER api_key_revocation_immutable;
ALTER TABLE api_key_revocation ENABLE ALWAYS TRIGGER api_key_revocation_no_truncate;
