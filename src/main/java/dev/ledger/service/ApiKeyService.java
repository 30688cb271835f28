package dev.ledger.service;

import dev.ledger.config.LedgerConfig;
import dev.ledger.mapping.ApiKey;
import dev.ledger.mapping.NewApiKey;
import dev.ledger.mapping.Scope;
import dev.ledger.problem.LedgerException;
import dev.ledger.problem.ProblemType;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * API keys: made here from 256 random bits, stored as their SHA-256 only (V4__api_keys.sql says
 * why that hash suffices), and verified through a bounded, expiring cache.
 *
 * <p>No key ever reaches a log line or an error message, not even a wrong one.
 */
@ApplicationScoped
public class ApiKeyService {

    private static final Logger LOG = Logger.getLogger(ApiKeyService.class);

    /** Makes a leaked key easy to recognise, for people and for secret scanners. */
    private static final String KEY_PREFIX = "ldg_";
    private static final int KEY_RANDOM_BYTES = 32;
    /** Longer presented keys are refused unhashed: no request makes the service hash megabytes. */
    private static final int MAX_PRESENTED_KEY_CHARS = 256;
    private static final int BOOTSTRAP_NAME_HASH_CHARS = 8;
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database database;
    private final LedgerConfig config;
    private final VerifiedKeyCache verified;

    ApiKeyService(Database database, LedgerConfig config) {
        this.database = database;
        this.config = config;
        this.verified = new VerifiedKeyCache(config.auth().cache().maxEntries(), config.auth().cache().ttl());
    }

    /** The key's holder, or a null item when the key is unknown or revoked. */
    public Uni<VerifiedKey> verify(String presented) {
        if (presented.length() > MAX_PRESENTED_KEY_CHARS) {
            return Uni.createFrom().nullItem();
        }
        byte[] hash = sha256(presented);
        // Concurrent first uses of one key share one lookup; each then resumes on its own request.
        return CallerContext.resumeOn(verified.get(HexFormat.of().formatHex(hash), () -> lookup(hash)));
    }

    public Uni<ApiKey> create(NewApiKey request) {
        String key = newKey();
        return database.execute(Sql.CREATE_API_KEY, Tuple.of(request.name(), request.scope().sqlName(), Buffer.buffer(sha256(key))))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    LOG.infof("API key '%s' created with scope %s", request.name(), request.scope().sqlName());
                    return new ApiKey(row.getUUID("id"), row.getString("name"), Scope.ofSqlName(row.getString("scope")),
                            row.getOffsetDateTime("created_at"), null, key);
                });
    }

    public Uni<List<ApiKey>> list() {
        return database.execute(Sql.API_KEYS, Tuple.tuple()).map(rows -> {
            List<ApiKey> keys = new ArrayList<>(rows.size());
            for (Row row : rows) {
                keys.add(new ApiKey(row.getUUID("id"), row.getString("name"), Scope.ofSqlName(row.getString("scope")),
                        row.getOffsetDateTime("created_at"), row.getOffsetDateTime("revoked_at"), null));
            }
            return keys;
        });
    }

    /**
     * Takes effect at once on this instance; other instances trust their cached copy for at most
     * ledger.auth.cache.ttl.
     */
    public Uni<Void> revoke(UUID id) {
        return database.execute(Sql.REVOKE_API_KEY, Tuple.of(id)).map(rows -> {
            if (rows.iterator().next().getLong("found") == 0) {
                throw new LedgerException(ProblemType.NOT_FOUND, "API key " + id + " does not exist");
            }
            verified.dropRevoked(id);
            LOG.infof("API key %s revoked", id);
            return null;
        });
    }

    /**
     * Stores the bootstrap key when absent and refuses to start when authentication is on but no
     * admin key could ever manage the others. Blocking is fine here: startup, not an event loop.
     */
    void onStart(@Observes StartupEvent start) {
        LedgerConfig.Auth auth = config.auth();
        if (!auth.enabled()) {
            LOG.warn("Authentication is OFF (ledger.auth.enabled=false): every endpoint answers without an API key. "
                    + "Never run like this where untrusted clients can reach the service.");
            return;
        }
        Optional<String> bootstrap = auth.bootstrapAdminKey().filter(key -> !key.isBlank());
        if (bootstrap.isPresent()) {
            storeBootstrapKey(bootstrap.get());
        }
        long admins = database.execute(Sql.ACTIVE_ADMIN_KEYS, Tuple.tuple()).await().atMost(STARTUP_TIMEOUT)
                .iterator().next().getLong(0);
        if (admins == 0) {
            throw new IllegalStateException("Authentication is on but no valid admin API key exists: set "
                    + "LEDGER_AUTH_BOOTSTRAP_ADMIN_KEY (ledger.auth.bootstrap-admin-key) to a random key of at least "
                    + LedgerConfig.Auth.MIN_BOOTSTRAP_KEY_CHARS + " characters, or set ledger.auth.enabled=false");
        }
        LOG.infof("Authentication is on: %d valid admin key(s)", admins);
    }

    private void storeBootstrapKey(String key) {
        if (key.length() < LedgerConfig.Auth.MIN_BOOTSTRAP_KEY_CHARS || key.length() > MAX_PRESENTED_KEY_CHARS) {
            throw new IllegalStateException("ledger.auth.bootstrap-admin-key must have "
                    + LedgerConfig.Auth.MIN_BOOTSTRAP_KEY_CHARS + " to " + MAX_PRESENTED_KEY_CHARS + " characters");
        }
        byte[] hash = sha256(key);
        // Named after its hash's first characters, which reveal nothing usable of a random key,
        // so a rotated bootstrap key gets a name of its own and operators can tell them apart.
        String name = "bootstrap-" + HexFormat.of().formatHex(hash).substring(0, BOOTSTRAP_NAME_HASH_CHARS);
        RowSet<Row> stored = database.execute(Sql.STORE_BOOTSTRAP_KEY, Tuple.of(name, Buffer.buffer(hash)))
                .await().atMost(STARTUP_TIMEOUT);
        LOG.infof(stored.rowCount() == 1 ? "Bootstrap admin key stored as API key '%s'"
                : "Bootstrap admin key '%s' was stored before", name);
    }

    private Uni<VerifiedKey> lookup(byte[] hash) {
        return database.execute(Sql.API_KEY_BY_HASH, Tuple.of(Buffer.buffer(hash))).map(rows -> {
            if (rows.size() == 0) {
                return null;
            }
            Row row = rows.iterator().next();
            // The index found the row by hash, which may take longer for some hashes than for
            // others; the final comparison does not, whatever the bytes.
            if (!MessageDigest.isEqual(row.getBuffer("key_hash").getBytes(), hash)) {
                return null;
            }
            return new VerifiedKey(row.getUUID("id"), row.getString("name"), Scope.ofSqlName(row.getString("scope")));
        });
    }

    private static String newKey() {
        byte[] random = new byte[KEY_RANDOM_BYTES];
        RANDOM.nextBytes(random);
        return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
