package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** API keys against a real PostgreSQL, with authentication switched on as in production. */
@QuarkusTest
@TestProfile(AuthOn.class)
class AuthenticationTest {

    static {
        Api.logFailures();
    }

    @Inject
    @ReactiveDataSource("owner")
    Pool owner;

    @Test
    void withoutAKeyEveryOperationIs401WithABearerChallenge() {
        for (Response response : List.of(given().get("/accounts/{id}", UUID.randomUUID()),
                given().contentType(ContentType.JSON).body(Map.of("currency", "EUR")).post("/accounts"),
                given().contentType(ContentType.JSON).body("{not json").post("/transfers"),
                given().get("/api-keys"))) {
            response.then().statusCode(401)
                    .contentType("application/problem+json")
                    .header("WWW-Authenticate", "Bearer")
                    .body("type", equalTo("urn:ledger:problem:unauthorized"))
                    .body("request_id", equalTo(response.header("X-Request-ID")));
        }
    }

    @Test
    void unknownAndMalformedKeysAre401() {
        for (String authorization : List.of("Bearer ldg_" + "x".repeat(43), "Bearer " + AuthOn.BOOTSTRAP_KEY + "x",
                "Basic " + AuthOn.BOOTSTRAP_KEY, "Bearer", "Bearer    ", AuthOn.BOOTSTRAP_KEY,
                "Bearer " + "a".repeat(10_000))) {
            given().header("Authorization", authorization).get("/accounts/{id}", UUID.randomUUID())
                    .then().statusCode(401).contentType("application/problem+json")
                    .body("type", equalTo("urn:ledger:problem:unauthorized"));
        }
        // The scheme is case-insensitive (RFC 7235).
        given().header("Authorization", "bearer " + AuthOn.BOOTSTRAP_KEY).get("/api-keys").then().statusCode(200);
    }

    @Test
    void aReadKeyReadsButCannotWrite() {
        String currency = Api.freshCurrency();
        UUID account = openAccount(admin(), currency, 100);
        String read = createKey("read");
        as(read).get("/accounts/{id}", account).then().statusCode(200).body("balance", equalTo(100));
        as(read).get("/accounts/{id}/balance", account).then().statusCode(200);
        as(read).queryParam("account_ids", account.toString()).get("/balances").then().statusCode(200)
                .body("balances[0].balance", equalTo(100));
        given().queryParam("account_ids", account.toString()).get("/balances").then().statusCode(401);
        as(read).contentType(ContentType.JSON).body(Map.of("currency", currency)).post("/accounts")
                .then().statusCode(403).contentType("application/problem+json")
                .body("type", equalTo("urn:ledger:problem:forbidden"))
                .body("detail", containsString("needs write"))
                .body("request_id", notNullValue());
        as(read).contentType(ContentType.JSON).body(Map.of("source", account.toString(),
                "destination", UUID.randomUUID().toString(), "amount", 1)).post("/transfers")
                .then().statusCode(403);
        assertEquals(1, Db.number(owner, "SELECT count(*) FROM account WHERE currency = $1 AND kind = 'regular'",
                currency));
    }

    @Test
    void aWriteKeyPostsButCannotManageKeys() {
        String write = createKey("write");
        String currency = Api.freshCurrency();
        UUID alice = openAccount(as(write), currency, 100);
        UUID bob = openAccount(as(write), currency, 0);
        as(write).contentType(ContentType.JSON).body(Map.of("source", alice.toString(), "destination", bob.toString(),
                "amount", 30)).post("/transfers").then().statusCode(201);
        as(write).get("/accounts/{id}/balance", bob).then().statusCode(200).body("balance", equalTo(30));
        as(write).get("/api-keys").then().statusCode(403).body("type", equalTo("urn:ledger:problem:forbidden"));
        as(write).contentType(ContentType.JSON).body(Map.of("name", uniqueName(), "scope", "admin"))
                .post("/api-keys").then().statusCode(403);
        as(write).delete("/api-keys/{id}", UUID.randomUUID()).then().statusCode(403);
    }

    @Test
    void anAdminCreatesListsAndRevokesKeys() {
        String name = uniqueName();
        Response created = admin().contentType(ContentType.JSON).body(Map.of("name", name, "scope", "read"))
                .post("/api-keys");
        created.then().statusCode(201)
                .header("Location", containsString("/api-keys/"))
                .header("Cache-Control", equalTo("no-store"))
                .body("name", equalTo(name))
                .body("scope", equalTo("read"))
                .body("key", startsWith("ldg_"));
        String key = created.path("key");
        String id = created.path("id");
        assertEquals(47, key.length(), "ldg_ and 32 random bytes in unpadded base64url");

        String list = admin().get("/api-keys").then().statusCode(200)
                .body("name", hasItem(name))
                .body("find { it.name == '" + name + "' }.revoked_at", equalTo(null))
                .extract().asString();
        assertFalse(list.contains(key), "a list never shows a key");
        assertFalse(list.contains("\"key\""), "a list has no key field at all");

        admin().contentType(ContentType.JSON).body(Map.of("name", name, "scope", "write")).post("/api-keys")
                .then().statusCode(409).body("type", equalTo("urn:ledger:problem:name-taken"));
        admin().contentType(ContentType.JSON).body(Map.of("name", "Not Valid!", "scope", "read")).post("/api-keys")
                .then().statusCode(400).body("errors.field", hasItem("name"));
        admin().contentType(ContentType.JSON).body(Map.of("name", uniqueName(), "scope", "root")).post("/api-keys")
                .then().statusCode(400);

        // Used once, so the key is in the cache when it is revoked.
        as(key).get("/accounts/{id}", UUID.randomUUID()).then().statusCode(404);
        admin().delete("/api-keys/{id}", id).then().statusCode(204);
        // Revoked through this instance: refused at once, its cached copy dropped.
        as(key).get("/accounts/{id}", UUID.randomUUID()).then().statusCode(401);
        admin().delete("/api-keys/{id}", id).then().statusCode(204);
        admin().delete("/api-keys/{id}", UUID.randomUUID()).then().statusCode(404)
                .body("type", equalTo("urn:ledger:problem:not-found"));
        admin().get("/api-keys").then().body("find { it.name == '" + name + "' }.revoked_at", notNullValue());
    }

    @Test
    void aKeyRevokedElsewhereStopsWorkingWithinTheCacheTtl() throws InterruptedException {
        String key = createKey("read");
        UUID account = UUID.randomUUID();
        as(key).get("/accounts/{id}", account).then().statusCode(404); // now cached
        // What another instance's revocation leaves behind: a row this instance's cache has not seen.
        Db.query(owner, "INSERT INTO api_key_revocation (api_key_id) SELECT id FROM api_key WHERE key_hash = $1",
                Buffer.buffer(sha256(key)));
        long deadline = System.currentTimeMillis() + AuthOn.CACHE_TTL_MILLIS + 2_000;
        int status;
        do {
            status = as(key).get("/accounts/{id}", account).statusCode();
            Thread.sleep(100);
        } while (status != 401 && System.currentTimeMillis() < deadline);
        assertEquals(401, status, "refused within the cache TTL plus a margin");
    }

    @Test
    void theBootstrapKeyIsStoredHashedOnly() {
        byte[] hash = sha256(AuthOn.BOOTSTRAP_KEY);
        assertEquals(1, Db.number(owner, "SELECT count(*) FROM api_key WHERE key_hash = $1 AND scope = 'admin'"
                + " AND name = $2", Buffer.buffer(hash), AuthOn.BOOTSTRAP_KEY_NAME));
        assertEquals(0, Db.number(owner, "SELECT count(*) FROM api_key k WHERE strpos(k::text, $1) > 0"
                + " OR strpos(encode(k.key_hash, 'escape'), $1) > 0", AuthOn.BOOTSTRAP_KEY));
    }

    @Test
    void healthMetricsAndApiDocumentsNeedNoKey() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200);
        given().get("/q/swagger-ui/").then().statusCode(200);
        given().get("/redoc").then().statusCode(200);
    }

    @Test
    void concurrentRequestsWithKeys() throws Exception {
        String write = createKey("write");
        String currency = Api.freshCurrency();
        UUID alice = openAccount(admin(), currency, 10_000);
        UUID bob = openAccount(admin(), currency, 0);
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 96; i++) {
                int kind = i % 3;
                calls.add(() -> switch (kind) {
                    // The first uses of a fresh key, all at once: they share one lookup.
                    case 0 -> as(write).contentType(ContentType.JSON).body(Map.of("source", alice.toString(),
                            "destination", bob.toString(), "amount", 1)).post("/transfers").statusCode();
                    case 1 -> as(write).get("/accounts/{id}/balance", bob).statusCode();
                    default -> as("ldg_wrong_" + UUID.randomUUID()).get("/accounts/{id}", bob).statusCode();
                });
            }
            List<Future<Integer>> answers = clients.invokeAll(calls);
            for (int i = 0; i < answers.size(); i++) {
                assertEquals(i % 3 == 0 ? 201 : i % 3 == 1 ? 200 : 401, answers.get(i).get(), "request " + i);
            }
        } finally {
            clients.shutdownNow();
        }
        admin().get("/accounts/{id}/balance", bob).then().statusCode(200).body("balance", equalTo(32));
    }

    @Test
    void logLinesOfTheServiceCarryTheRequestIdAndNeverAKey() throws IOException {
        String requestId = "audit-" + UUID.randomUUID();
        String name = uniqueName();
        String key = admin().header("X-Request-ID", requestId).contentType(ContentType.JSON)
                .body(Map.of("name", name, "scope", "write")).post("/api-keys")
                .then().statusCode(201).header("X-Request-ID", requestId).extract().path("key");
        as(key).get("/accounts/{id}", UUID.randomUUID()).then().statusCode(404);
        String log = Files.readString(Path.of(AuthOn.LOG_FILE), StandardCharsets.UTF_8);
        // Written by ApiKeyService after the database answered, on a later event-loop turn.
        JsonNode audit = null;
        for (String line : log.lines().filter(line -> line.contains(name)).toList()) {
            audit = new ObjectMapper().readTree(line);
        }
        assertTrue(audit != null && audit.path("message").asText().contains("created"), "the audit line: " + audit);
        assertEquals(requestId, audit.path("mdc").path("request_id").asText(), "the audit line carries the request id");
        assertEquals(AuthOn.BOOTSTRAP_KEY_NAME, audit.path("mdc").path("api_key").asText(), "and the caller's key name");
        assertTrue(log.contains("Bootstrap admin key"), "the log file covers startup");
        assertFalse(log.contains(AuthOn.BOOTSTRAP_KEY), "the bootstrap key is never logged");
        assertFalse(log.contains(key), "a created key is never logged");
    }

    private static RequestSpecification admin() {
        return as(AuthOn.BOOTSTRAP_KEY);
    }

    private static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key);
    }

    private static String createKey(String scope) {
        return admin().contentType(ContentType.JSON).body(Map.of("name", uniqueName(), "scope", scope))
                .post("/api-keys").then().statusCode(201).extract().path("key");
    }

    private static UUID openAccount(RequestSpecification as, String currency, long initialBalance) {
        return UUID.fromString(as.contentType(ContentType.JSON)
                .body(Map.of("currency", currency, "initial_balance", initialBalance)).post("/accounts")
                .then().statusCode(201).extract().path("id"));
    }

    private static String uniqueName() {
        return "test-" + UUID.randomUUID();
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
