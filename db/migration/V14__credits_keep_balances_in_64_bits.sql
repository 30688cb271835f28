-- A credit is refused when it could take the destination's balance past 2^63 - 1.
--
-- Until now only the source's balance was kept in range (transfer_append), and a balance too big
-- for 64 bits was caught when read: balance_at() casts to bigint. So a 201 could leave an account
-- whose every read answered 422 (an issuer crediting 1 to an account holding 2^63 - 1) until its
-- owner moved the excess out.
--
-- Checking the destination's balance on every credit would cost a second 8-lane probe per
-- transfer and would still be wrong under concurrency: credits to its other lanes run in
-- parallel and are invisible until they commit. The lanes give a cheaper rule instead. Let the
-- share be 2^63 / 8 = 1152921504606846975.
-- - A credit that leaves its lane's running total within the share is not checked: the trigger
--   below does not even fire (its WHEN clause), so ordinary credits pay nothing.
-- - A credit that takes its lane past the share (lane totals only grow, so every later credit
--   to that lane too) takes a lock of its own per destination, so that such credits are checked
--   one at a time, each seeing the ones before it committed, and bounds the balance in a new
--   snapshot: its lane's new total, plus each other lane at the larger of the share and its
--   committed total, less the debits committed so far. Above 2^63 - 1 it is refused with 22003,
--   softly inside a batch as every other refusal.
-- Why that suffices: a lane within the share can only grow to the share without a check, and
-- debits only lower the balance, so the bound of the latest checked credit stays an upper bound
-- of the balance; an account with no lane past the share has credits of at most 8 shares, which
-- fit. Any credit that leaves the balance at or below one share passes (its bound is at most 8
-- shares); above that it may be refused, never admitted past 2^63 - 1. Lifetime turnover stays
-- unlimited (numeric running totals): only a balance must fit.

CREATE FUNCTION transfer_credit_fits() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    balance_bound numeric;
BEGIN
    -- The committed totals read below must be the latest: only READ COMMITTED gives each
    -- statement a snapshot taken after the lock.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = 'a credit past a lane''s share of the 64-bit range needs READ COMMITTED, not '
                      || current_setting('transaction_isolation');
    END IF;
    PERFORM pg_advisory_xact_lock(credit_lane_lock_key(NEW.destination, credit_lanes()));
    SELECT sum(CASE WHEN lane.n = NEW.credit_lane THEN NEW.credit_lane_total
                    ELSE greatest(1152921504606846975, last_credit.total) END)
           - coalesce((SELECT t.source_debited FROM transfer t
                        WHERE t.source = NEW.destination ORDER BY t.index DESC LIMIT 1), 0)
      INTO balance_bound
      FROM generate_series(0, credit_lanes() - 1) AS lane(n)
      LEFT JOIN LATERAL (SELECT t.credit_lane_total AS total FROM transfer t
                          WHERE t.destination = NEW.destination AND t.credit_lane = lane.n
                          ORDER BY t.created_at DESC LIMIT 1) AS last_credit ON true;
    IF balance_bound > 9223372036854775807 THEN
        RETURN transfer_refused(NEW.id, '22003',
            format('the balance of account %s could leave the 64-bit range after this credit', NEW.destination),
            NULL, NULL);
    END IF;
    RETURN NEW;
END
$$;

DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION transfer_credit_fits() SET search_path = %I, pg_temp', current_schema());
END
$$;

-- Named to fire after transfer_append, which sets credit_lane_total: BEFORE triggers fire in
-- name order.
CREATE TRIGGER transfer_credit_fits BEFORE INSERT ON transfer
    FOR EACH ROW WHEN (NEW.credit_lane_total > 1152921504606846975) EXECUTE FUNCTION transfer_credit_fits();
ALTER TABLE transfer ENABLE ALWAYS TRIGGER transfer_credit_fits;
