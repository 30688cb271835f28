-- API keys: who may call the service, and with which scope (README.md, "API keys").
--
-- Only a SHA-256 of each key is stored. The keys are 256-bit random tokens made by the service
-- (or an operator's bootstrap key of at least as many characters), so a fast unsalted hash is
-- enough: there is no small space of likely keys to search, unlike passwords, and an index on
-- the hash lets a request find its key in one probe. A leaked table reveals no usable key.
CREATE TABLE api_key (
    id         uuid        PRIMARY KEY DEFAULT uuid_v7(),
    -- Names stay unique forever, also after a revocation, so a name in an audit log is unambiguous.
    name       text        NOT NULL CONSTRAINT api_key_name_unique UNIQUE
        CONSTRAINT api_key_name_format CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    scope      text        NOT NULL
        CONSTRAINT api_key_scope_known CHECK (scope IN ('read', 'write', 'admin')),
    key_hash   bytea       NOT NULL CONSTRAINT api_key_hash_unique UNIQUE
        CONSTRAINT api_key_hash_is_sha256 CHECK (octet_length(key_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- A revocation is a row of its own rather than an UPDATE of api_key: the service's role may only
-- insert, and the history of who could call the service when stays as immutable as the ledger.
CREATE TABLE api_key_revocation (
    api_key_id uuid        PRIMARY KEY REFERENCES api_key (id),
    revoked_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TRIGGER api_key_immutable BEFORE UPDATE OR DELETE ON api_key
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER api_key_no_truncate BEFORE TRUNCATE ON api_key
    FOR EACH STATEMENT EXECUTE FUNCTION reject_change();
CREATE TRIGGER api_key_revocation_immutable BEFORE UPDATE OR DELETE ON api_key_revocation
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER api_key_revocation_no_truncate BEFORE TRUNCATE ON api_key_revocation
    FOR EACH STATEMENT EXECUTE FUNCTION reject_change();

-- The service looks keys up (SELECT), creates them and stores the bootstrap key (INSERT), and
-- revokes them (INSERT of a revocation). Nothing more: without UPDATE or DELETE a leaked service
-- password can neither change a key's scope nor erase a revocation.
GRANT SELECT, INSERT ON api_key, api_key_revocation TO "${service_role}";
