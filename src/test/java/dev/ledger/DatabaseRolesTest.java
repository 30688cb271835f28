package dev.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.service.DatabaseRoleCheck;
import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
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

    @BeforeEach
    void anAccountWithATransfer() {
        String currency = Api.freshCurrency();
        alice = Db.query(service, "SELECT id FROM open_account(NULL, $1, 'regular', 100, NULL)", currency)
                .iterator().next().getUUID("id");
        UUID bob = Db.query(service, "SELECT id FROM open_account(NULL, $1, 'regular', 0, NULL)", currency)
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
        assertDenied("SELECT count(*) FROM flyway_schema_history");
    }

    private void assertDenied(String sql, Object... args) {
        assertEquals(INSUFFICIENT_PRIVILEGE, Db.failure(service, sql, args).getSqlState(), sql);
    }
}
