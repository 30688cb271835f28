package dev.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.service.DatabaseRoleCheck;
import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgException;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Least privilege (V3__service_role.sql): the role the service connects as may read and append,
 * and nothing else, even by direct SQL. PostgreSQL refuses before any trigger runs (42501), so
 * the log stays immutable even if the triggers were somehow gone.
 */
@QuarkusTest
class DatabaseRolesTest {

    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    @Inject
    Pool service;

    @Inject
    @ReactiveDataSource("owner")
    Pool owner;

    @Inject
    DatabaseRoleCheck roleCheck;

    private UUID alice;
    private UUID bob;

    @BeforeEach
    void anAccountWithATransfer() {
        String currency = Api.freshCurrency();
        alice = Db.query(service, "SELECT id FROM open_account(NULL, $1, 'regular', 100, NULL)", currency)
                .iterator().next().getUUID("id");
        bob = Db.query(service, "SELECT id FROM open_account(NULL, $1, 'regular', 0, NULL)", currency)
                .iterator().next().getUUID("id");
        Db.query(service, "INSERT INTO transfer (source, destination, amount) VALUES ($1, $2, 10)", alice, bob);
    }

    @Test
    void theServiceRoleIsNeitherTheOwnerNorASuperuser() {
        String serviceRole = Db.query(service, "SELECT current_user").iterator().next().getString(0);
        String ownerRole = Db.query(owner, "SELECT tableowner FROM pg_tables WHERE tablename = 'transfer'")
                .iterator().next().getString(0);
        assertNotEquals(ownerRole, serviceRole, "the tests must run the service as its own role");
        assertEquals(0, Db.number(service, "SELECT count(*) FROM pg_roles WHERE rolname = current_user"
                + " AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls)"));
    }

    @Test
    void theServiceSeesItsOwnRoleAsLeastPrivileged() {
        // The start-up check that warns about an over-privileged role must not cry wolf here...
        assertFalse(roleCheck.rights().await().atMost(Duration.ofSeconds(30)).mayRewriteHistory());
        // ...and must notice the owner's rights.
        assertTrue(Db.query(owner, "SELECT has_table_privilege('transfer', 'UPDATE')").iterator().next().getBoolean(0));
    }

    @Test
    void theServiceRoleCannotChangeOrRemoveHistory() {
        assertDenied("UPDATE transfer SET amount = 1 WHERE source = $1", alice);
        assertDenied("DELETE FROM transfer WHERE source = $1", alice);
        assertDenied("TRUNCATE transfer");
        assertDenied("UPDATE account SET metadata = '{}' WHERE id = $1", alice);
        assertDenied("DELETE FROM account WHERE id = $1", alice);
        assertDenied("TRUNCATE account");
        assertEquals(10, Db.number(owner, "SELECT amount FROM transfer WHERE source = $1", alice));
    }

    @Test
    void theServiceRoleCannotForgetARefusal() {
        // A forgotten refusal would free its id for a late attempt to commit (V5__final_refusals.sql).
        assertDenied("UPDATE transfer_refusal SET error_state = 'x'");
        assertDenied("DELETE FROM transfer_refusal");
        assertDenied("TRUNCATE transfer_refusal");
    }

    @Test
    void theServiceRoleCannotRaiseAKeysScopeOrUndoARevocation() {
        assertDenied("UPDATE api_key SET scope = 'admin'");
        assertDenied("DELETE FROM api_key");
        assertDenied("TRUNCATE api_key");
        assertDenied("DELETE FROM api_key_revocation");
        assertDenied("TRUNCATE api_key_revocation");
    }

    @Test
    void theServiceRoleCannotSwitchOffTheRules() {
        assertDenied("ALTER TABLE transfer DISABLE TRIGGER transfer_append");
        assertDenied("DROP TRIGGER transfer_immutable ON transfer");
        assertDenied("ALTER TABLE transfer DROP CONSTRAINT transfer_amount_positive");
        assertDenied("CREATE OR REPLACE FUNCTION reject_change() RETURNS trigger LANGUAGE plpgsql"
                + " AS 'BEGIN RETURN NEW; END'");
        assertDenied("DROP TABLE transfer");
        // Replica mode would skip ordinary triggers; only a superuser may enter it.
        assertDenied("SET session_replication_role = replica");
        assertDenied("CREATE TABLE shadow_transfer (id uuid)");
        // A temporary table of the same name would be found before the ledger's own (V13).
        assertDenied("CREATE TEMPORARY TABLE account (id uuid)");
        assertDenied("SELECT count(*) FROM flyway_schema_history");
    }

    @Test
    void theServiceRoleCannotForgeARefusal() {
        // A refusal is recorded only by post_transfers, which runs with the owner's rights (V13).
        assertDenied("INSERT INTO transfer_refusal (id) VALUES ($1)", UUID.randomUUID());
    }

    @Test
    void aTemporaryTableCannotStandInForTheLedgersOwn() {
        // PostgreSQL looks table names up in pg_temp first. Even where a role is given the right to
        // create temporary tables, the trigger must read the real accounts: a temporary copy that
        // calls bob an issuer must not let him spend more than his 10.
        String temporary = "TEMPORARY ON DATABASE \"" + Db.query(owner, "SELECT current_database()").iterator().next()
                .getString(0) + "\" %s \"" + Db.query(service, "SELECT current_user").iterator().next().getString(0) + "\"";
        Db.query(owner, "GRANT " + temporary.formatted("TO"));
        SqlConnection session = service.getConnection().await().atMost(Duration.ofSeconds(10));
        try {
            Db.query(session, "BEGIN");
            Db.query(session, "CREATE TEMPORARY TABLE account ON COMMIT DROP AS SELECT * FROM public.account");
            Db.query(session, "UPDATE account SET kind = 'issuer' WHERE id = $1", bob);
            PgException refused = assertThrows(PgException.class, () -> Db.query(session,
                    "INSERT INTO public.transfer (source, destination, amount) VALUES ($1, $2, 500)", bob, alice));
            assertEquals("LG003", refused.getSqlState(), refused.getMessage());
        } finally {
            Db.query(session, "ROLLBACK");
            session.close().await().atMost(Duration.ofSeconds(10));
            Db.query(owner, "REVOKE " + temporary.formatted("FROM"));
        }
        assertEquals(10, Db.number(service, "SELECT balance_at($1, 'infinity')", bob));
    }

    @Test
    void everyLedgerFunctionFixesItsSearchPath() {
        // CREATE OR REPLACE drops a function's SET clauses: a migration that restates a PL/pgSQL
        // function without SET search_path would let temporary tables shadow the ledger again.
        List<String> unpinned = new ArrayList<>();
        for (Row row : Db.query(owner, """
                SELECT p.proname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
                 WHERE p.pronamespace = current_schema()::regnamespace AND l.lanname = 'plpgsql'
                   AND NOT coalesce(p.proconfig, '{}') @> ARRAY['search_path=' || current_schema() || ', pg_temp']
                 ORDER BY 1""")) {
            unpinned.add(row.getString(0));
        }
        assertEquals(List.of(), unpinned);
        assertTrue(Db.query(owner, "SELECT prosecdef FROM pg_proc WHERE proname = 'post_transfers'")
                .iterator().next().getBoolean(0));
        assertEquals(0, Db.number(owner, "SELECT count(*) FROM pg_proc p, aclexplode(p.proacl) a"
                + " WHERE p.proname = 'post_transfers' AND a.grantee = 0"), "PUBLIC may not call post_transfers");
    }

    private void assertDenied(String sql, Object... args) {
        assertEquals(INSUFFICIENT_PRIVILEGE, Db.failure(service, sql, args).getSqlState(), sql);
    }
}
