-- The ledger: accounts and an append-only transfer log. Every rule lives here, so it holds
-- for every writer (the service, psql, a migration script), not only for the Java code.
-- docs/design.md explains the model and why it is correct under concurrency.

-- Time-ordered UUIDs (version 7) for ids the client does not supply: new rows land at the
-- right edge of the primary-key index instead of at random pages.
CREATE FUNCTION uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
           set_bit(set_bit(
             overlay(uuid_send(gen_random_uuid())
                     PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                     FROM 1 FOR 6),
             52, 1), 53, 1),
           'hex')::uuid
$$;

-- Credits to one account are spread over this many lanes, each an independent running total,
-- so that concurrent payments into a popular account do not queue behind one another.
CREATE FUNCTION credit_lanes() RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT 8';

CREATE TABLE account (
    id                uuid        PRIMARY KEY DEFAULT uuid_v7(),
    currency          text        NOT NULL
        CONSTRAINT account_currency_format CHECK (currency ~ '^[A-Z][A-Z0-9_]{1,11}$'),
    -- regular: may never go below zero; issuer: may go negative, the origin of money.
    kind              text        NOT NULL DEFAULT 'regular'
        CONSTRAINT account_kind_known CHECK (kind IN ('regular', 'issuer')),
    is_default_issuer boolean     NOT NULL DEFAULT false,
    metadata          jsonb
        CONSTRAINT account_metadata_object CHECK (
            metadata IS NULL OR (jsonb_typeof(metadata) = 'object' AND octet_length(metadata::text) <= 4096)),
    created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT account_default_issuer_is_issuer CHECK (NOT is_default_issuer OR kind = 'issuer')
);

CREATE UNIQUE INDEX account_one_default_issuer_per_currency ON account (currency) WHERE is_default_issuer;

-- One row per transfer. (source, index) is the source's own gap-free sequence: two writers can
-- never append the same index, so debits of one account are totally ordered while different
-- accounts append in parallel. The columns after `metadata` are derived by transfer_append()
-- and never taken from the writer.
CREATE TABLE transfer (
    source               uuid        NOT NULL,
    index                bigint      NOT NULL CONSTRAINT transfer_index_positive CHECK (index >= 1),
    destination          uuid        NOT NULL,
    amount               bigint      NOT NULL CONSTRAINT transfer_amount_positive CHECK (amount > 0),
    id                   uuid        NOT NULL DEFAULT uuid_v7() CONSTRAINT transfer_id_unique UNIQUE,
    description          text
        CONSTRAINT transfer_description_length CHECK (char_length(description) <= 512),
    metadata             jsonb
        CONSTRAINT transfer_metadata_object CHECK (
            metadata IS NULL OR (jsonb_typeof(metadata) = 'object' AND octet_length(metadata::text) <= 4096)),
    -- Strictly increasing along the source's chain and along the destination's credit lane.
    created_at           timestamptz NOT NULL,
    -- Sum of the amounts of the source's transfers 1..index. Running totals are numeric: they
    -- grow with lifetime turnover, which may exceed 64 bits long before any balance does.
    source_debited       numeric     NOT NULL,
    -- The source's balance right after this transfer, as verified when it was appended.
    source_balance_after bigint      NOT NULL,
    -- The destination's credit lane, this transfer's position in it, and the lane's running total.
    credit_lane          smallint    NOT NULL,
    credit_lane_seq      bigint      NOT NULL,
    credit_lane_total    numeric     NOT NULL,
    CONSTRAINT transfer_pkey PRIMARY KEY (source, index),
    CONSTRAINT transfer_not_to_self CHECK (source <> destination),
    CONSTRAINT transfer_credit_lane_chain UNIQUE (destination, credit_lane, credit_lane_seq)
);

-- Point-in-time lookups: the last debit / last lane credit at or before an instant.
CREATE INDEX transfer_source_time ON transfer (source, created_at) INCLUDE (source_debited);
CREATE INDEX transfer_credit_lane_time ON transfer (destination, credit_lane, created_at) INCLUDE (credit_lane_total);

-- Advisory-lock keys: one per source chain, one per credit lane. The unique keys above are
-- the guarantee; the locks only make concurrent writers queue instead of failing on them.
CREATE FUNCTION source_lock_key(p_account uuid) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT hashtextextended(p_account::text, 1) $$;

CREATE FUNCTION id_lock_key(p_id uuid) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT hashtextextended(p_id::text, 4) $$;

CREATE FUNCTION credit_lane_lock_key(p_account uuid, p_lane int) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT hashtextextended(p_account::text || '/' || p_lane, 2) $$;

-- The credits of an account up to an instant: the sum of each lane's last running total, and
-- the latest created_at among those rows. One index probe per lane.
-- A single-SELECT SQL function returning a table, so that PostgreSQL inlines it into the calling
-- query (and into PL/pgSQL's cached plans) instead of planning it on every call.
CREATE FUNCTION credits_at(p_account uuid, p_at timestamptz)
RETURNS TABLE (total numeric, latest timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1 AS $$
  SELECT coalesce(sum(last_credit.total), 0), max(last_credit.created_at)
  FROM generate_series(0, credit_lanes() - 1) AS lane(n)
  CROSS JOIN LATERAL (
    SELECT t.credit_lane_total AS total, t.created_at
    FROM transfer t
    WHERE t.destination = p_account AND t.credit_lane = lane.n AND t.created_at <= p_at
    ORDER BY t.created_at DESC
    LIMIT 1) AS last_credit
$$;

-- The balance at an instant ('infinity' for now): credits minus everything debited from the
-- source chain up to then. Cost: credit_lanes() + 1 index probes, whatever the length of the
-- account's history. PL/pgSQL keeps the plan; a balance must fit in 64 bits (22003 if not).
CREATE FUNCTION balance_at(p_account uuid, p_at timestamptz) RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    credited numeric;
    debited  numeric;
BEGIN
    SELECT c.total INTO credited FROM credits_at(p_account, p_at) AS c;
    SELECT t.source_debited INTO debited
      FROM transfer t
     WHERE t.source = p_account AND t.created_at <= p_at
     ORDER BY t.created_at DESC
     LIMIT 1;
    RETURN (credited - coalesce(debited, 0))::bigint;
END
$$;

-- The rules of an append, enforced for every writer. Errors carry SQLSTATEs of class LG
-- that the service maps to its problem types:
--   LG001 unknown account, LG002 currency mismatch, LG003 insufficient funds,
--   LG004 index conflict, LG005 immutable, LG006 unknown account (reads).
CREATE FUNCTION transfer_append() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    source_account      account;
    destination_account account;
    last_index          bigint;
    last_debited        numeric;
    last_debit_at       timestamptz;
    credited            numeric;
    latest_credit_at    timestamptz;
    lane                int;
    lane_first          int;
    lane_locked         boolean;
    last_lane_seq       bigint;
    last_lane_total     numeric;
    last_lane_at        timestamptz;
    balance_before      numeric;
BEGIN
    -- The table's CHECKs run after this trigger; test the two a request can break first, so
    -- that a self-transfer or a zero amount is reported as such and not as missing funds.
    IF NEW.amount IS NULL OR NEW.amount <= 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = 'transfer_amount_positive',
            TABLE = 'transfer', MESSAGE = 'amount must be positive';
    END IF;
    IF NEW.source = NEW.destination THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = 'transfer_not_to_self',
            TABLE = 'transfer', MESSAGE = 'source and destination must differ';
    END IF;
    SELECT * INTO source_account FROM account WHERE id = NEW.source;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'LG001', MESSAGE = format('source account %s does not exist', NEW.source);
    END IF;
    SELECT * INTO destination_account FROM account WHERE id = NEW.destination;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'LG001', MESSAGE = format('destination account %s does not exist', NEW.destination);
    END IF;
    IF source_account.currency <> destination_account.currency THEN
        RAISE EXCEPTION USING ERRCODE = 'LG002',
            MESSAGE = format('source currency %s differs from destination currency %s',
                             source_account.currency, destination_account.currency);
    END IF;

    -- Debits of one source queue here, one transaction at a time. Under READ COMMITTED each
    -- statement below takes a fresh snapshot after the lock is granted, so it sees the
    -- previous holder's committed row. Under a stale snapshot (REPEATABLE READ) the index
    -- computed below is already taken and the primary key rejects the row instead.
    PERFORM pg_advisory_xact_lock(source_lock_key(NEW.source));
    SELECT t.index, t.source_debited, t.created_at
      INTO last_index, last_debited, last_debit_at
      FROM transfer t WHERE t.source = NEW.source ORDER BY t.index DESC LIMIT 1;
    IF NOT FOUND THEN
        last_index := 0; last_debited := 0; last_debit_at := '-infinity';
    END IF;
    IF NEW.index IS NULL THEN
        NEW.index := last_index + 1;
    ELSIF NEW.index <> last_index + 1 THEN
        RAISE EXCEPTION USING ERRCODE = 'LG004',
            MESSAGE = format('index %s of source %s is not the next one (%s)', NEW.index, NEW.source, last_index + 1),
            DETAIL = format('next_index=%s', last_index + 1);
    END IF;

    -- The balance check: every credit visible now minus every debit of the chain so far.
    -- Debits are exact (the chain is locked); credits committed later only add to the balance,
    -- so the check can be conservative but never lets a regular account go below zero.
    SELECT c.total, c.latest INTO credited, latest_credit_at FROM credits_at(NEW.source, 'infinity') AS c;
    balance_before := credited - last_debited;
    IF source_account.kind = 'regular' AND balance_before < NEW.amount THEN
        RAISE EXCEPTION USING ERRCODE = 'LG003',
            MESSAGE = format('balance %s of account %s is below the amount %s', balance_before, NEW.source, NEW.amount),
            DETAIL = format('balance=%s', balance_before);
    END IF;

    -- Take the first free credit lane of the destination, starting from one fixed per source;
    -- wait for that one only when all are busy.
    lane_first := abs(hashtextextended(NEW.source::text, 3) % credit_lanes());
    FOR step IN 0 .. credit_lanes() - 1 LOOP
        lane := (lane_first + step) % credit_lanes();
        lane_locked := pg_try_advisory_xact_lock(credit_lane_lock_key(NEW.destination, lane));
        EXIT WHEN lane_locked;
    END LOOP;
    IF NOT lane_locked THEN
        lane := lane_first;
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

CREATE TRIGGER transfer_append BEFORE INSERT ON transfer
    FOR EACH ROW EXECUTE FUNCTION transfer_append();

CREATE FUNCTION reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'LG005',
        MESSAGE = format('%s is immutable: %s is not allowed', TG_TABLE_NAME, TG_OP);
END
$$;

CREATE TRIGGER transfer_immutable BEFORE UPDATE OR DELETE ON transfer
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER transfer_no_truncate BEFORE TRUNCATE ON transfer
    FOR EACH STATEMENT EXECUTE FUNCTION reject_change();

-- An account's identity never changes and it is never removed (transfers refer to it without a
-- foreign key, whose row locks would make every transfer write to both account rows).
CREATE TRIGGER account_identity_immutable BEFORE UPDATE ON account
    FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.currency IS DISTINCT FROM NEW.currency
          OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.is_default_issuer IS DISTINCT FROM NEW.is_default_issuer
          OR OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION reject_change();
CREATE TRIGGER account_no_delete BEFORE DELETE ON account
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER account_no_truncate BEFORE TRUNCATE ON account
    FOR EACH STATEMENT EXECUTE FUNCTION reject_change();

-- Fire even in sessions with session_replication_role = replica, which skips ordinary triggers.
ALTER TABLE transfer ENABLE ALWAYS TRIGGER transfer_append;
ALTER TABLE transfer ENABLE ALWAYS TRIGGER transfer_immutable;
ALTER TABLE transfer ENABLE ALWAYS TRIGGER transfer_no_truncate;
ALTER TABLE account ENABLE ALWAYS TRIGGER account_identity_immutable;
ALTER TABLE account ENABLE ALWAYS TRIGGER account_no_delete;
ALTER TABLE account ENABLE ALWAYS TRIGGER account_no_truncate;

-- The currency's default issuer, created on first use.
CREATE FUNCTION default_issuer(p_currency text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
    issuer_id uuid;
BEGIN
    SELECT id INTO issuer_id FROM account WHERE currency = p_currency AND is_default_issuer;
    IF FOUND THEN
        RETURN issuer_id;
    END IF;
    INSERT INTO account (currency, kind, is_default_issuer) VALUES (p_currency, 'issuer', true)
        ON CONFLICT (currency) WHERE is_default_issuer DO NOTHING
        RETURNING id INTO issuer_id;
    IF issuer_id IS NULL THEN -- a concurrent first use won the race and has committed
        SELECT id INTO issuer_id FROM account WHERE currency = p_currency AND is_default_issuer;
    END IF;
    RETURN issuer_id;
END
$$;

-- What the API shows of an account and of a transfer.
CREATE VIEW account_view AS
SELECT a.id, a.currency, a.kind,
       balance_at(a.id, 'infinity') AS balance,
       coalesce((SELECT t.index FROM transfer t WHERE t.source = a.id ORDER BY t.index DESC LIMIT 1), 0)
           AS transfer_count,
       a.created_at, a.metadata
  FROM account a;

CREATE VIEW transfer_view AS
SELECT t.id, t.source, t.index, t.destination, t.amount, a.currency, t.description, t.metadata,
       t.created_at, t.source_balance_after
  FROM transfer t
  JOIN account a ON a.id = t.source;

-- Opens an account, funding it from the default issuer in the same transaction. The funding
-- transfer has the account's id. Idempotent on the id: outcome is 'created', 'replayed'
-- (same id, same request) or 'conflict' (same id, different request; the existing account
-- is returned).
CREATE FUNCTION open_account(p_id uuid, p_currency text, p_kind text, p_initial_balance bigint, p_metadata jsonb)
RETURNS TABLE (outcome text, id uuid, currency text, kind text, balance bigint, transfer_count bigint,
               created_at timestamptz, metadata jsonb)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    -- Before anything else, so that an unknown currency format fails on the account's CHECK.
    issuer_id  uuid := default_issuer(p_currency);
    account_id uuid;
    existing   account;
    funded     bigint;
    result     text := 'created';
BEGIN
    IF p_initial_balance IS NULL OR p_initial_balance < 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = 'initial balance must be zero or more';
    END IF;
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

-- Appends a transfer. Idempotent on the id: outcome is 'created', 'replayed' (same id, same
-- request: the original transfer is returned) or 'conflict' (same id, different request).
CREATE FUNCTION post_transfer(p_id uuid, p_source uuid, p_destination uuid, p_amount bigint,
                              p_expected_index bigint, p_description text, p_metadata jsonb)
RETURNS TABLE (outcome text, id uuid, source uuid, index bigint, destination uuid, amount bigint,
               currency text, description text, metadata jsonb, created_at timestamptz,
               source_balance_after bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    transfer_id uuid := coalesce(p_id, uuid_v7());
    posted_id   uuid;
    existing    transfer;
    result      text := 'created';
BEGIN
    -- Requests with the same id queue here, so that a retry racing its original finds the
    -- original committed below: it is answered as a replay (or, with other content, a conflict)
    -- rather than refused for the funds its twin just spent.
    PERFORM pg_advisory_xact_lock(id_lock_key(transfer_id));
    SELECT * INTO existing FROM transfer t WHERE t.id = transfer_id;
    IF NOT FOUND THEN
        INSERT INTO transfer (id, source, index, destination, amount, description, metadata)
            VALUES (transfer_id, p_source, p_expected_index, p_destination, p_amount, p_description, p_metadata)
            ON CONFLICT ON CONSTRAINT transfer_id_unique DO NOTHING
            RETURNING transfer.id INTO posted_id;
        IF posted_id IS NULL THEN
            -- The same id was committed meanwhile by a writer with another source.
            SELECT * INTO existing FROM transfer t WHERE t.id = transfer_id;
        END IF;
    END IF;
    IF posted_id IS NULL THEN
        result := CASE WHEN existing.source = p_source AND existing.destination = p_destination
                             AND existing.amount = p_amount
                             AND (p_expected_index IS NULL OR existing.index = p_expected_index)
                             AND existing.description IS NOT DISTINCT FROM p_description
                             AND existing.metadata IS NOT DISTINCT FROM p_metadata
                       THEN 'replayed' ELSE 'conflict' END;
    END IF;
    RETURN QUERY SELECT result, v.* FROM transfer_view v WHERE v.id = transfer_id;
END
$$;

-- Refuses reads of an account that does not exist (LG006), so that an empty answer always means
-- "no such transfers" and never "no such account".
CREATE FUNCTION known_account(p_account uuid) RETURNS account
LANGUAGE plpgsql STABLE AS $$
DECLARE
    found_account account;
BEGIN
    SELECT * INTO found_account FROM account a WHERE a.id = p_account;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'LG006', MESSAGE = format('account %s does not exist', p_account);
    END IF;
    RETURN found_account;
END
$$;

-- The balance at an instant, or now when p_at is NULL. An instant in the future is answered as now.
CREATE FUNCTION account_balance(p_account uuid, p_at timestamptz)
RETURNS TABLE (account_id uuid, currency text, balance bigint, at timestamptz)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    balanced account := known_account(p_account);
    instant  timestamptz := least(p_at, clock_timestamp());
BEGIN
    RETURN QUERY SELECT balanced.id, balanced.currency, balance_at(balanced.id, instant), instant;
END
$$;

-- The transfers of an account, newest first, each with the account's balance at its instant.
-- Keyset pagination on (created_at, source, index): pass the last row of a page to get the
-- next one (NULLs for the first page).
CREATE FUNCTION account_transfers(p_account uuid, p_direction text, p_before_at timestamptz,
                                  p_before_source uuid, p_before_index bigint, p_limit int)
RETURNS TABLE (id uuid, source uuid, index bigint, destination uuid, amount bigint, currency text,
               description text, metadata jsonb, created_at timestamptz,
               source_balance_after bigint, balance_after bigint)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
    listed      account := known_account(p_account);
    before_at   timestamptz := coalesce(p_before_at, 'infinity');
    before_src  uuid := coalesce(p_before_source, 'ffffffff-ffff-ffff-ffff-ffffffffffff');
    before_idx  bigint := coalesce(p_before_index, 9223372036854775807);
BEGIN
    IF p_direction IS NULL OR p_direction NOT IN ('in', 'out', 'all') THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = 'direction must be in, out or all';
    END IF;
    IF p_limit IS NULL OR p_limit < 1 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = 'limit must be positive';
    END IF;
    RETURN QUERY
    WITH page AS (
      (SELECT t.*
         FROM transfer t
        WHERE p_direction IN ('out', 'all') AND t.source = p_account
          AND (t.created_at, t.source, t.index) < (before_at, before_src, before_idx)
        ORDER BY t.created_at DESC
        LIMIT p_limit)
      UNION ALL
      (SELECT c.*
         FROM generate_series(0, credit_lanes() - 1) AS lane(n)
        CROSS JOIN LATERAL (
          SELECT t.*
            FROM transfer t
           WHERE p_direction IN ('in', 'all') AND t.destination = p_account AND t.credit_lane = lane.n
             AND (t.created_at, t.source, t.index) < (before_at, before_src, before_idx)
           ORDER BY t.created_at DESC
           LIMIT p_limit) AS c)
      ORDER BY created_at DESC, source DESC, index DESC
      LIMIT p_limit)
    SELECT page.id, page.source, page.index, page.destination, page.amount, listed.currency,
           page.description, page.metadata, page.created_at, page.source_balance_after,
           balance_at(p_account, page.created_at)
      FROM page
     ORDER BY page.created_at DESC, page.source DESC, page.index DESC;
END
$$;
