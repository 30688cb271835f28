-- What is stored stays readable, and a batch answers each item (DatabaseEdgeCasesTest).
--
-- 1. A credit past a lane's share bounded the destination's balance with the debits committed
--    when it was checked, including debits stamped AFTER the credit's own created_at (one that
--    committed while the credit waited for the destination's check lock). At the credit's
--    instant those debits had not happened, so the balance at that instant could exceed
--    2^63 - 1 and every read of it (balance at T, the account's listing) failed with 22003.
--    Now the bound subtracts only the debits up to the credit's own instant. The bound then holds
--    at every instant T: take, among the lanes past the share at T, the last credit checked; its
--    check saw every other such lane at least at its total at T (checked before it, committed
--    before its lock was granted), counted each other lane as at least a share, and subtracted
--    the debits up to its instant, which is at or before T.
-- 2. The service reads metadata back with a parser held to ledger.json.max-nesting-depth (32):
--    deeper metadata stored by SQL made every read of its account or transfer (and of every
--    listing holding the transfer) fail with 503. As V15 did for numbers, the database now holds
--    every writer to the reader's depth: no object or array at level 32 or deeper (the document
--    itself is level 0, depth 1).
-- 3. A batch item without a source or destination is refused by the trigger as LG001, a final
--    refusal, whose record then broke transfer_refusal's NOT NULL: the whole post_transfers call
--    failed with 23502 and its valid items were rolled back. No account has a NULL id, so the
--    refusal is as final as any other; it is recorded with the NULL.
-- 4. An account's created_at may not be infinite: the service answered 'infinity' as
--    +999999999-12-31T23:59:59.999999999-18:00.

CREATE OR REPLACE FUNCTION transfer_credit_fits() RETURNS trigger
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
    -- Debits only up to this credit's instant: a later one does not lower the balance at it.
    SELECT sum(CASE WHEN lane.n = NEW.credit_lane THEN NEW.credit_lane_total
                    ELSE greatest(1152921504606846975, last_credit.total) END)
           - coalesce((SELECT t.source_debited FROM transfer t
                        WHERE t.source = NEW.destination AND t.created_at <= NEW.created_at
                        ORDER BY t.created_at DESC LIMIT 1), 0)
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

-- Strict: lax mode would unwrap arrays and miss their nesting.
CREATE FUNCTION jsonb_depth_fits(p_document jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT NOT jsonb_path_exists(p_document,
                               'strict $.**{32 to last} ? (@.type() == "object" || @.type() == "array")')
$$;

ALTER TABLE account ADD CONSTRAINT account_metadata_depth
    CHECK (metadata IS NULL OR jsonb_depth_fits(metadata)) NOT VALID;
ALTER TABLE transfer ADD CONSTRAINT transfer_metadata_depth
    CHECK (metadata IS NULL OR jsonb_depth_fits(metadata)) NOT VALID;

ALTER TABLE transfer_refusal ALTER COLUMN source DROP NOT NULL;
ALTER TABLE transfer_refusal ALTER COLUMN destination DROP NOT NULL;

ALTER TABLE account ADD CONSTRAINT account_created_at_finite CHECK (isfinite(created_at)) NOT VALID;
