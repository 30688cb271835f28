package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A transfer is answered the same however it arrives: single or in a batch, first or replayed,
 * alone or racing copies of itself; and the HTTP details of those answers (Location, at=, OpenAPI).
 */
@QuarkusTest
class ReplayAndRaceTest {

    static {
        Api.logFailures();
    }

    @Inject
    Pool pool;

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL root;

    private static Response batch(List<Map<String, Object>> items) {
        return given().contentType(ContentType.JSON).body(Map.of("transfers", items)).post("/transfers/batch");
    }

    /** What a client compares: status and the problem without instance and request_id. */
    private static String single(Response r) {
        Map<String, Object> body = new TreeMap<>(r.jsonPath().getMap(""));
        body.remove("instance");
        body.remove("request_id");
        return r.statusCode() + " " + body;
    }

    @SuppressWarnings("unchecked")
    private static String batched(Response r, int i) {
        Map<String, Object> result = r.jsonPath().getMap("results[" + i + "]");
        Map<String, Object> body = new TreeMap<>((Map<String, Object>) (result.get("problem") != null
                ? result.get("problem") : result.get("transfer")));
        body.remove("instance");
        body.remove("request_id");
        return result.get("status") + " " + body;
    }

    @Test
    void aRefusalReplaysTheSameAcrossSingleAndBatch() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 500);
        UUID bob = Api.openAccount(currency, 0);
        UUID id = UUID.randomUUID();
        Response first = Api.postTransfer(Api.item(id, alice, bob, 600));
        Response inBatch = batch(List.of(Api.item(id, alice, bob, 600)));
        Response again = Api.postTransfer(Api.item(id, alice, bob, 600));
        assertEquals(single(first), batched(inBatch, 0));
        assertEquals(single(first), single(again));
    }

    @Test
    void selfTransferSingleAgainstBatch() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 500);
        UUID bob = Api.openAccount(currency, 0);
        UUID id = UUID.randomUUID();
        Response first = Api.postTransfer(Api.item(id, alice, alice, 1));
        Response inBatch = batch(List.of(Api.item(id, alice, alice, 1), Api.item(UUID.randomUUID(), alice, bob, 1)));
        assertEquals(single(first), batched(inBatch, 0));
    }

    @Test
    void racingIdenticalRefusedRequestsAllAnswerTheSame() throws Exception {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 100);
        UUID bob = Api.openAccount(currency, 0);
        UUID id = UUID.randomUUID();
        List<Response> answers = Api.race(40, i -> i % 4 == 0 ? batch(List.of(Api.item(id, alice, bob, 150)))
                : Api.postTransfer(Api.item(id, alice, bob, 150)));
        Set<String> distinct = new java.util.TreeSet<>();
        for (int i = 0; i < answers.size(); i++) {
            distinct.add(i % 4 == 0 ? batched(answers.get(i), 0) : single(answers.get(i)));
        }
        assertEquals(1, distinct.size(), distinct.toString());
    }

    @Test
    void racingIdenticalCreatesAcrossSingleAndBatchMakeOne() throws Exception {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 1000);
        UUID bob = Api.openAccount(currency, 0);
        for (int round = 0; round < 5; round++) {
            UUID id = UUID.randomUUID();
            List<Response> answers = Api.race(40, i -> i % 3 == 0
                    ? batch(List.of(Api.item(UUID.randomUUID(), alice, bob, 1), Api.item(id, alice, bob, 7)))
                    : Api.postTransfer(Api.item(id, alice, bob, 7)));
            int created = 0;
            Set<Object> indexes = new java.util.HashSet<>();
            List<String> odd = new ArrayList<>();
            for (int i = 0; i < answers.size(); i++) {
                Response r = answers.get(i);
                int status = i % 3 == 0 ? r.jsonPath().getInt("results[1].status") : r.statusCode();
                Object index = i % 3 == 0 ? r.jsonPath().get("results[1].transfer.index") : r.path("index");
                if (status == 201) {
                    created++;
                } else if (status != 200) {
                    odd.add(r.asString());
                }
                if (i % 3 != 0 && status == 200 && !"true".equals(r.header("Idempotent-Replayed"))) {
                    odd.add("200 without Idempotent-Replayed");
                }
                indexes.add(index);
            }
            assertEquals(List.of(), odd);
            assertEquals(1, created, "created");
            assertEquals(1, indexes.size(), indexes.toString());
            assertEquals(1, Db.number(pool, "SELECT count(*) FROM transfer WHERE id = $1", id));
        }
    }

    /** A client mistake in ?at= must be a 400, never a 500 (README: "400 (also an at ... outside years 1 to 9999 UTC)"). */
    @Test
    void aBalanceAtAnInstantJavaCannotShiftToUtcIs400Not500() {
        UUID alice = Api.openAccount(Api.freshCurrency(), 5);
        for (String at : List.of("-999999999-01-01T00:00:00%2B18:00", "%2B999999999-12-31T23:59:59-18:00")) {
            given().urlEncodingEnabled(false).get("/accounts/" + alice + "/balance?at=" + at)
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("errors.field", org.hamcrest.Matchers.hasItem("at"));
            given().urlEncodingEnabled(false).get("/balances?account_ids=" + alice + "&at=" + at)
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("errors.field", org.hamcrest.Matchers.hasItem("at"));
        }
    }

    /**
     * Location is resolved against the request's own Host header and scheme: any Host the client
     * (or a TLS-terminating proxy) sends is echoed, always with http://.
     */
    @Test
    void locationDoesNotEchoTheClientsHostHeader() throws Exception {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 5);
        UUID bob = Api.openAccount(currency, 0);
        RawHttp.Response account = RawHttp.exchange(root.getPort(), RawHttp.Request.of("POST", "/accounts")
                .header("Host", "evil.example:666")
                .json("{\"currency\":\"" + currency + "\"}"));
        RawHttp.Response transfer = RawHttp.exchange(root.getPort(), RawHttp.Request.of("POST", "/transfers")
                .header("Host", "evil.example:666").header("X-Forwarded-Proto", "https")
                .json("{\"source\":\"" + alice + "\",\"destination\":\"" + bob + "\",\"amount\":1}"));
        assertEquals(201, account.status());
        assertEquals(201, transfer.status());
        for (RawHttp.Response created : List.of(account, transfer)) {
            String location = created.header("Location");
            assertTrue(location.startsWith("/"), "Location: " + location);
        }
    }

    /** Every status the service really answers is in /q/openapi for that operation. */
    @Test
    void theOpenApiDocumentListsTheStatusesTheServiceAnswers() {
        io.restassured.path.json.JsonPath doc = given().queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200).extract().jsonPath();
        // POST /accounts answers 422 amount-out-of-range (README's table lists it) ...
        Response tooRich = given().contentType(ContentType.JSON)
                .body(Map.of("currency", Api.freshCurrency(), "initial_balance", Long.MAX_VALUE)).post("/accounts");
        assertEquals(422, tooRich.statusCode());
        // ... and POST /transfers and POST /accounts answer 413 to a body over 64 KiB.
        String big = "{\"description\":\"" + "x".repeat(70_000) + "\"}";
        assertEquals(413, given().contentType(ContentType.JSON).body(big).post("/transfers").statusCode());
        assertEquals(413, given().contentType(ContentType.JSON).body(big).post("/accounts").statusCode());
        List<String> missing = new ArrayList<>();
        for (String[] answer : new String[][] {{"/accounts", "422"}, {"/accounts", "413"}, {"/transfers", "413"}}) {
            Map<String, Object> responses = doc.getMap("paths.'" + answer[0] + "'.post.responses");
            if (!responses.containsKey(answer[1])) {
                missing.add("POST " + answer[0] + " " + answer[1]);
            }
        }
        if (doc.get("paths.'/transfers'.post.responses.'201'.headers.Location") == null) {
            missing.add("POST /transfers 201 Location header");
        }
        if (doc.get("paths.'/transfers'.post.responses.'503'.headers.Retry-After") == null) {
            missing.add("POST /transfers 503 Retry-After header");
        }
        assertEquals(List.of(), missing, "answers the service gives that /q/openapi does not document");
    }

    /**
     * POST /api-keys cannot replay (the key is shown once, only its hash is kept): an
     * Idempotency-Key is refused, as on batches, rather than ignored into a 409 on the retry.
     */
    @Test
    void anIdempotencyKeyOnApiKeysIsRefusedNotIgnored() {
        String name = "idem-" + UUID.randomUUID().toString().substring(0, 8);
        String key = UUID.randomUUID().toString();
        Response first = given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Map.of("name", name, "scope", "read")).post("/api-keys");
        first.then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", org.hamcrest.Matchers.equalTo("Idempotency-Key"));
        given().contentType(ContentType.JSON).body(Map.of("name", name, "scope", "read")).post("/api-keys")
                .then().statusCode(201);
    }

}
