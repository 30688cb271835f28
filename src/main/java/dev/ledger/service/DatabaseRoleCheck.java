package dev.ledger.service;

import dev.ledger.config.LedgerConfig;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Says at start when the service connects with more rights than it needs. The single-role setup
 * works, so this warns rather than refuses; but an operator should know that the service's
 * password is then enough to rewrite history (README, "Use an external PostgreSQL").
 */
@ApplicationScoped
public class DatabaseRoleCheck {

    private static final Logger LOG = Logger.getLogger(DatabaseRoleCheck.class);

    private final Pool pool;
    private final LedgerConfig config;

    DatabaseRoleCheck(Pool pool, LedgerConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /** The role the service connects as, and whether it may UPDATE, DELETE or TRUNCATE the log. */
    public record Rights(String role, boolean mayRewriteHistory) {
    }

    public Uni<Rights> rights() {
        return pool.preparedQuery(Sql.ROLE_MAY_REWRITE).execute()
                .map(rows -> rows.iterator().next())
                .map(row -> new Rights(row.getString("role"), row.getBoolean("may_rewrite")));
    }

    void warnAtStart(@Observes StartupEvent start) {
        Rights rights = rights().await().atMost(config.databaseTimeout());
        if (rights.mayRewriteHistory()) {
            LOG.warnf("The service's database role %s may UPDATE, DELETE or TRUNCATE the transfer log. Connect"
                    + " as a role with SELECT and INSERT only, and run migrations as the owner with"
                    + " QUARKUS_FLYWAY_USERNAME (README, \"Use an external PostgreSQL\")", rights.role());
        }
    }
}
