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

    static final String TRANSFER_BY_ID = "SELECT * FROM transfer_view WHERE id = $1";

    static final String TRANSFER_BY_INDEX = "SELECT * FROM transfer_view WHERE source = $1 AND index = $2";

    static final String ACCOUNT_TRANSFERS = "SELECT * FROM account_transfers($1, $2, $3, $4, $5, $6)";

    /** True when the service's role may change or remove transfers (as an owner or superuser may). */
    static final String ROLE_MAY_REWRITE = "SELECT current_user AS role, has_table_privilege('transfer', 'UPDATE')"
            + " OR has_table_privilege('transfer', 'DELETE') OR has_table_privilege('transfer', 'TRUNCATE')"
            + " AS may_rewrite";

    private Sql() {
    }
}
