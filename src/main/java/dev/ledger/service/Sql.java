package dev.ledger.service;

/**
 * Every statement the service sends. Each reads a view or calls a function of db/migration,
 * where the rules live; the client prepares each once per connection and reuses it.
 */
final class Sql {

    static final String OPEN_ACCOUNT = "SELECT * FROM open_account($1, $2, $3, $4, $5::text::jsonb)";

    static final String POST_TRANSFERS = "SELECT * FROM post_transfers($1, $2, $3, $4, $5, $6, $7)";

    static final String ACCOUNT = "SELECT * FROM account_view WHERE id = $1";

    static final String BALANCE = "SELECT * FROM account_balance($1, $2)";

    static final String BALANCES = "SELECT * FROM account_balances($1, $2)";

    static final String TRANSFER_BY_ID = "SELECT * FROM transfer_view WHERE id = $1";

    static final String TRANSFER_BY_INDEX = "SELECT * FROM transfer_view WHERE source = $1 AND index = $2";

    static final String ACCOUNT_TRANSFERS = "SELECT * FROM account_transfers($1, $2, $3, $4, $5, $6)";

    /** A valid key: known and not revoked. Found by its hash through api_key_hash_unique. */
    static final String API_KEY_BY_HASH = """
            SELECT k.id, k.name, k.scope, k.key_hash FROM api_key k
            WHERE k.key_hash = $1
              AND NOT EXISTS (SELECT FROM api_key_revocation r WHERE r.api_key_id = k.id)""";

    static final String CREATE_API_KEY = """
            INSERT INTO api_key (name, scope, key_hash) VALUES ($1, $2, $3)
            RETURNING id, name, scope, created_at""";

    /**
     * Nothing happens when the key is stored already, also when it was revoked since. Only the
     * hash may collide: a key an admin created under the bootstrap key's name fails the start.
     */
    static final String STORE_BOOTSTRAP_KEY = """
            INSERT INTO api_key (name, scope, key_hash) VALUES ($1, 'admin', $2)
            ON CONFLICT ON CONSTRAINT api_key_hash_unique DO NOTHING""";

    static final String ACTIVE_ADMIN_KEYS = """
            SELECT count(*) FROM api_key k
            WHERE k.scope = 'admin'
              AND NOT EXISTS (SELECT FROM api_key_revocation r WHERE r.api_key_id = k.id)""";

    static final String API_KEYS = """
            SELECT k.id, k.name, k.scope, k.created_at, r.revoked_at
            FROM api_key k LEFT JOIN api_key_revocation r ON r.api_key_id = k.id
            ORDER BY k.created_at, k.id""";

    /** One row, found: 0 for an unknown key. Revoking a revoked key changes nothing. */
    static final String REVOKE_API_KEY = """
            WITH known AS (SELECT id FROM api_key WHERE id = $1),
                 revoked AS (INSERT INTO api_key_revocation (api_key_id) SELECT id FROM known
                             ON CONFLICT DO NOTHING)
            SELECT count(*) AS found FROM known""";

    /** True when the service's role may change or remove transfers (as an owner or superuser may). */
    static final String ROLE_MAY_REWRITE = "SELECT current_user AS role, has_table_privilege('transfer', 'UPDATE')"
            + " OR has_table_privilege('transfer', 'DELETE') OR has_table_privilege('transfer', 'TRUNCATE')"
            + " AS may_rewrite";

    private Sql() {
    }
}
