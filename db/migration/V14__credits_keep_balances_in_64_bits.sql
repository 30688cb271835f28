-- A credit is refused when it could take the destination's balance past 2^63 - 1.
--
-- Until now only the source's balance was kept in range (transfer_append), and a balance too big
-- for 64 bits was caught when read: balance_at() casts to bigint. So a 201 could leave an account
-- whose every read answered 422 (an issuer crediting 1 to an account holding 2^63 - 1) until its
-- owner moved the excess out.
--
-- Checking the destination's balance exactly on every credit would cost a second 8-lane probe per
-- transfer and would still be wrong under concurrency: credits to other lanes run in parallel
-- and are invisible until they commit. Instead:
-- - While every lane's running total is at most 2^63 / 8 = 1152921504606846975 the credits sum
--   below 2^63, so the balance (credits less debits, debits >= 0) fits. A credit that keeps its
--   own lane within that limit, to an account with no lane past it, passes on one probe of a
--   partial index that is empty unless some account is past the limit.
-- - Otherwise the credit takes a lock of its own per destination (a lane key beyond the lanes),
--   so that such credits run one at a time, takes every other lane it can without waiting, and
--   then, in a new statement and so a new snapshot, bounds the balance: its own lane's new total,
--   each lane it took at its committed total, each lane still held by another transaction at
--   the larger of the limit and its committed total (that transaction is either a credit within
--   the limit, or one past it that waits for this one and checks after it), less the debits
--   committed so far (later debits only lower the balance). Above 2^63 - 1 it is refused with
--   22003, softly inside a batch as every other refusal.
-- Lifetime turnover stays unlimited (numeric running totals): only a balance must fit.
-- A separate trigger, named to fire after transfer_append (BEFORE triggers fire in name order),
-- so that the append's own statement is not restated for a check that almost never does work.

CREATE INDEX transfer_credit_lane_past_limit ON transfer (destination) WHERE credit_lane_total > 1152921504606846975;

CREATE FUNCTION transfer_credit_fits() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    lane_held_elsewhere boolean[];
    balance_bound       numeric;
BEGIN
    IF NEW.credit_lane_total <= 1152921504606846975
       AND NOT EXISTS (SELECT FROM transfer t
                        WHERE t.destination = NEW.destination AND t.credit_lane_total > 1152921504606846975) THEN
        RETURN NEW;
    END IF;
    -- The committed totals read below must be the latest: only READ COMMITTED gives each
    -- statement a snapshot taken after the locks.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = 'a credit past a lane''s 64-bit share needs READ COMMITTED, not '
                      || current_setting('transaction_isolation');
    END IF;
    PERFORM pg_advisory_xact_lock(credit_lane_lock_key(NEW.destination, credit_lanes()));
    SELECT array_agg(lane.n <> NEW.credit_lane
                     AND NOT pg_try_advisory_xact_lock(credit_lane_lock_key(NEW.destination, lane.n)) ORDER BY lane.n)
      INTO lane_held_elsewhere
      FROM generate_series(0, credit_lanes() - 1) AS lane(n);
    SELECT sum(CASE WHEN lane.n = NEW.credit_lane THEN NEW.credit_lane_total
                    WHEN lane_held_elsewhere[lane.n + 1] THEN greatest(1152921504606846975, coalesce(last_credit.total, 0))
                    ELSE coalesce(last_credit.total, 0) END)
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

CREATE TRIGGER transfer_credit_fits BEFORE INSERT ON transfer
    FOR EACH ROW EXECUTE FUNCTION transfer_credit_fits();
ALTER TABLE transfer ENABLE ALWAYS TRIGGER transfer_credit_fits;
