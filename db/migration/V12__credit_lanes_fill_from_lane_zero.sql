-- A credit takes the first free lane of its destination counting from lane 0, not from a lane
-- picked by its source.
--
-- The balance check and every balance read probe all 8 credit lanes of an account. A probe of
-- a lane that holds credits ends on a leaf page of its own; a probe of an empty lane ends on the
-- account's last page, which the other empty lanes share. Before, the first lane tried was
-- hashed from the source, so an account paid by 8 or more sources over its life used all 8
-- lanes, though its credits almost never overlapped in time. Now a lane other than 0 is used
-- only while lower lanes are held by transactions still running: an account credited one payment
-- at a time keeps every credit in lane 0, and the lanes of a popular account still fill under
-- concurrent payments as before. With all 8 busy, a credit waits for the lane hashed from its
-- source, as before, so that the waiters of a popular account spread over its lanes.
--
-- What changes for a writer: only which lane a credit takes. Every lane is still probed, every
-- rule is unchanged, and lanes taken before stay as they are.
--
-- Measured (record K in docs/benchmarks.md): two databases built the same way, one migrated to
-- V11 and one to V12, 10,000 accounts and 60 s of 50-transfer batches each (800,000 transfers;
-- afterwards every account used all 8 lanes under V11, 83 % used one lane under V12), then
-- `DATABASES="ab_v11 ab_v12" STATEMENTS="ledger_insert ledger_batch/1 ledger_batch/50
-- ledger_balance" load-tests/statement-cost.sh`, PostgreSQL CPU per statement, medians of 3
-- alternated runs: a balance read 87 µs before against 77 after (every run after below every run
-- before), an INSERT through the trigger 292 against 278, post_transfers with 50 transfers 7,691
-- against 7,523 µs, with 1 transfer 534 against 535 (within the noise).

-- As in V7, except for the choice of the lane.
CREATE OR REPLACE FUNCTION transfer_append() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    source_account      account;
    destination_account account;
    last_index          bigint;
    last_debited        numeric;
    last_debit_at       timestamptz;
    last_balance_after  bigint;
    last_is_ours        boolean;
    credited            numeric;
    latest_credit_at    timestamptz;
    lane                int;
    lane_locked         boolean;
    last_lane_seq       bigint;
    last_lane_total     numeric;
    last_lane_at        timestamptz;
    balance_before      numeric;
BEGIN
    -- The table's CHECKs run after this trigger; test those a request can break first, so that
    -- a self-transfer or a zero amount is reported as such and not as missing funds, and so that
    -- a batch sees them as refusals of one item. The CHECKs stay the guarantee.
    IF NEW.amount IS NULL OR NEW.amount <= 0 THEN
        RETURN transfer_refused(NEW.id, '23514', 'amount must be positive', NULL, 'transfer_amount_positive');
    END IF;
    IF NEW.source = NEW.destination THEN
        RETURN transfer_refused(NEW.id, '23514', 'source and destination must differ', NULL, 'transfer_not_to_self');
    END IF;
    IF char_length(NEW.description) > 512 THEN
        RETURN transfer_refused(NEW.id, '23514', 'description must be at most 512 characters', NULL,
                                'transfer_description_length');
    END IF;
    IF NEW.metadata IS NOT NULL
       AND (jsonb_typeof(NEW.metadata) <> 'object' OR octet_length(NEW.metadata::text) > 4096) THEN
        RETURN transfer_refused(NEW.id, '23514', 'metadata must be a JSON object of at most 4096 bytes', NULL,
                                'transfer_metadata_object');
    END IF;
    SELECT * INTO source_account FROM account WHERE id = NEW.source;
    IF NOT FOUND THEN
        RETURN transfer_refused(NEW.id, 'LG001', format('source account %s does not exist', NEW.source), NULL, NULL);
    END IF;
    SELECT * INTO destination_account FROM account WHERE id = NEW.destination;
    IF NOT FOUND THEN
        RETURN transfer_refused(NEW.id, 'LG001', format('destination account %s does not exist', NEW.destination),
                                NULL, NULL);
    END IF;
    IF source_account.currency <> destination_account.currency THEN
        RETURN transfer_refused(NEW.id, 'LG002', format('source currency %s differs from destination currency %s',
                                                source_account.currency, destination_account.currency), NULL, NULL);
    END IF;

    -- Debits of one source queue here, one transaction at a time. Under READ COMMITTED each
    -- statement below takes a fresh snapshot after the lock is granted, so it sees the
    -- previous holder's committed row. Under a stale snapshot (REPEATABLE READ) the index
    -- computed below is already taken and the primary key rejects the row instead.
    PERFORM pg_advisory_xact_lock(source_lock_key(NEW.source));
    -- Its own row: its xmin is this transaction's, and its time is not older than the
    -- transaction, since a 32-bit xmin repeats after 2^32 transactions.
    SELECT t.index, t.source_debited, t.created_at, t.source_balance_after,
           t.xmin = pg_current_xact_id()::xid AND t.created_at >= transaction_timestamp()
      INTO last_index, last_debited, last_debit_at, last_balance_after, last_is_ours
      FROM transfer t WHERE t.source = NEW.source ORDER BY t.index DESC LIMIT 1;
    IF NOT FOUND THEN
        last_index := 0; last_debited := 0; last_debit_at := '-infinity'; last_is_ours := false;
    END IF;
    IF NEW.index IS NULL THEN
        NEW.index := last_index + 1;
    ELSIF NEW.index <> last_index + 1 THEN
        RETURN transfer_refused(NEW.id, 'LG004',
            format('index %s of source %s is not the next one (%s)', NEW.index, NEW.source, last_index + 1),
            format('next_index=%s', last_index + 1), NULL);
    END IF;

    -- The balance check: every credit visible now minus every debit of the chain so far.
    -- Debits are exact (the chain is locked); credits committed later only add to the balance,
    -- so the check can be conservative but never lets a regular account go below zero.
    -- The previous row's source_balance_after is a floor of the balance now: it was checked
    -- against the credits visible then, credits never go away, and no debit came since (it is
    -- the chain's last row). When that row is this transaction's own and the floor already
    -- covers the amount, the transfer passes on it without probing the credit lanes. A
    -- refusal is always decided by the probe, so floor or probe, the same transfers pass.
    IF last_is_ours
       AND (source_account.kind = 'issuer' OR last_balance_after >= NEW.amount)
       AND last_balance_after::numeric - NEW.amount >= -9223372036854775808 THEN
        balance_before := last_balance_after;
        -- Every credit the floor counts is older than the previous row, and this row is newer.
        latest_credit_at := '-infinity';
    ELSE
        SELECT c.total, c.latest INTO credited, latest_credit_at FROM credits_at(NEW.source, 'infinity') AS c;
        balance_before := credited - last_debited;
    END IF;
    IF source_account.kind = 'regular' AND balance_before < NEW.amount THEN
        RETURN transfer_refused(NEW.id, 'LG003',
            format('balance %s of account %s is below the amount %s', balance_before, NEW.source, NEW.amount),
            format('balance=%s', balance_before), NULL);
    END IF;
    -- source_balance_after is a bigint: an issuer's balance can fall, and any account's credits
    -- rise, past the 64-bit range, which the assignment below would raise on.
    IF balance_before - NEW.amount NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN
        RETURN transfer_refused(NEW.id, '22003',
            format('the balance of account %s after this transfer would leave the 64-bit range', NEW.source),
            NULL, NULL);
    END IF;

    -- Take the first free credit lane of the destination, counting from lane 0, so that an
    -- account credited one payment at a time keeps every credit in lane 0. When all are busy,
    -- wait for a lane fixed per source, so that the waiters of a popular account spread over its
    -- lanes instead of all queueing for lane 0.
    FOR step IN 0 .. credit_lanes() - 1 LOOP
        lane := step;
        lane_locked := pg_try_advisory_xact_lock(credit_lane_lock_key(NEW.destination, lane));
        EXIT WHEN lane_locked;
    END LOOP;
    IF NOT lane_locked THEN
        lane := abs(hashtextextended(NEW.source::text, 3) % credit_lanes());
        PERFORM pg_advisory_xact_lock(credit_lane_lock_key(NEW.destination, lane));
    END IF;
    SELECT t.credit_lane_seq, t.credit_lane_total, t.created_at
      INTO last_lane_seq, last_lane_total, last_lane_at
      FROM transfer t WHERE t.destination = NEW.destination AND t.credit_lane = lane
      ORDER BY t.credit_lane_seq DESC LIMIT 1;
    IF NOT FOUND THEN
        last_lane_seq := 0; last_lane_total := 0; last_lane_at := '-infinity';
    END IF;

    -- Strictly after the previous row of both chains, and after every credit the balance check
    -- counted, even if the clock stepped back: a balance at any instant is then never below
    -- what the check saw.
    NEW.created_at := greatest(clock_timestamp(),
                               last_debit_at + interval '1 microsecond',
                               last_lane_at + interval '1 microsecond',
                               latest_credit_at + interval '1 microsecond');
    NEW.source_debited := last_debited + NEW.amount;
    NEW.source_balance_after := balance_before - NEW.amount;
    NEW.credit_lane := lane;
    NEW.credit_lane_seq := last_lane_seq + 1;
    NEW.credit_lane_total := last_lane_total + NEW.amount;
    RETURN NEW;
END
$$;
