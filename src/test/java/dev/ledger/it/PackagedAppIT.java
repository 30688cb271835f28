package dev.ledger.it;

import static dev.ledger.it.PackagedApp.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The main flows end to end against the packaged application in the prod profile: the fast-jar
 * here, the native executable when built with -Dnative. Whatever native mode would lose
 * (reflection on the JSON records, resources such as the migrations or ReDoc's bundle) fails here.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedAppDatabase.class)
class PackagedAppIT {

    @Test
    void transfersAreAppendedOnceAndReplayed() {
        String currency = freshCurrency();
        UUID alice = openAccount(currency, 10_000);
        UUID bob = openAccount(currency, 0);
        String key = UUID.randomUUID().toString();
        Map<String, Object> body = Map.of("source", alice.toString(), "destination", bob.toString(), "amount", 800);

        Response created = given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .post("/transfers");
        created.then().statusCode(201)
                .header("Location", containsString("/transfers/" + key))
                .body("id", equalTo(key)).body("index", equalTo(1)).body("source_balance_after", equalTo(9200));
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body).post("/transfers")
                .then().statusCode(200).header("Idempotent-Replayed", "true")
                .body("id", equalTo(key)).body("created_at", equalTo(created.path("created_at")));

        assertEquals(9_200, balance(alice));
        assertEquals(800, balance(bob));
        given().get("/accounts/{id}", alice).then().statusCode(200).body("transfer_count", equalTo(1));
        given().get("/accounts/{source}/transfers/1", alice).then().statusCode(200).body("id", equalTo(key));
    }

    @Test
    void anOverdraftIsAProblemAndWritesNothing() {
        String currency = freshCurrency();
        UUID alice = openAccount(currency, 700);
        UUID bob = openAccount(currency, 0);
        given().contentType(ContentType.JSON)
                .body(Map.of("source", alice.toString(), "destination", bob.toString(), "amount", 800))
                .post("/transfers")
                .then().statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("urn:ledger:problem:insufficient-funds"))
                .body("status", equalTo(422)).body("instance", equalTo("/transfers")).body("balance", equalTo(700));
        assertEquals(700, balance(alice));
        given().get("/accounts/{id}", alice).then().body("transfer_count", equalTo(0));
    }

    @Test
    void validationFailuresAreProblems() {
        given().contentType(ContentType.JSON).body("{\"currency\": \"EUR\", \"initial_balance\": 1.5}")
                .post("/accounts")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("urn:ledger:problem:validation"));
        given().get("/accounts/{id}", UUID.randomUUID()).then().statusCode(404)
                .contentType("application/problem+json").body("type", equalTo("urn:ledger:problem:not-found"));
    }

    @Test
    void balanceNowAndAtAPastInstant() {
        String currency = freshCurrency();
        UUID alice = openAccount(currency, 10_000);
        UUID bob = openAccount(currency, 0);
        OffsetDateTime transferred = OffsetDateTime.parse(transfer(alice, bob, 800).then().statusCode(201)
                .extract().path("created_at"));

        assertEquals(10_000, balanceAt(alice, transferred.minus(1, ChronoUnit.MICROS)));
        assertEquals(9_200, balanceAt(alice, transferred));
        given().get("/accounts/{id}/balance", alice).then().statusCode(200)
                .body("balance", equalTo(9200)).body("currency", equalTo(currency));
    }

    @Test
    void anAccountsTransfersArePagedNewestFirst() {
        String currency = freshCurrency();
        UUID alice = openAccount(currency, 1_000);
        UUID bob = openAccount(currency, 0);
        List<String> sent = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            sent.add(0, transfer(alice, bob, i).then().statusCode(201).extract().path("id"));
        }

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var page = given().queryParam("direction", "out").queryParam("limit", 2)
                    .queryParams(cursor == null ? Map.of() : Map.of("cursor", cursor))
                    .get("/accounts/{id}/transfers", alice).then().statusCode(200).extract();
            seen.addAll(page.path("items.id"));
            cursor = page.path("next_cursor");
            pages++;
        } while (cursor != null && pages < 10);
        assertEquals(sent, seen);
        assertEquals(3, pages);

        given().queryParam("direction", "in").get("/accounts/{id}/transfers", bob).then().statusCode(200)
                .body("items.size()", equalTo(5)).body("items[0].balance_after", equalTo(15))
                .body("next_cursor", nullValue());
        given().queryParam("account_ids", bob + "," + alice).get("/balances").then().statusCode(200)
                .body("balances[0].balance", equalTo(15)).body("balances[1].account_id", equalTo(alice.toString()));
    }

    @Test
    void readinessChecksPostgres() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP")).body("checks.name", hasItem(containsString("PostgreSQL")));
    }

    @Test
    void openApiSwaggerUiAndRedocAreServed() {
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("info.title", equalTo("Ledger API"))
                .body("paths.'/transfers'.post.summary", equalTo("Append a transfer"))
                .body("components.schemas.Problem", org.hamcrest.Matchers.notNullValue());
        given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
        String page = given().get("/redoc").then().statusCode(200).contentType("text/html")
                .body(containsString("/q/openapi")).extract().asString();
        String script = page.replaceAll("(?s).*<script src=\"([^\"]+)\".*", "$1");
        given().get(script).then().statusCode(200).body(containsString("Redoc"));
    }

    private static String freshCurrency() {
        return "IT" + UUID.randomUUID().toString().replace("-", "").substring(0, 8).toUpperCase();
    }

    private static UUID openAccount(String currency, long initialBalance) {
        String id = given().contentType(ContentType.JSON)
                .body(Map.of("currency", currency, "initial_balance", initialBalance))
                .post("/accounts")
                .then().statusCode(201).body("balance", equalTo((int) initialBalance))
                .extract().path("id");
        assertNotNull(id);
        return UUID.fromString(id);
    }

    private static Response transfer(UUID source, UUID destination, long amount) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("source", source.toString(), "destination", destination.toString(), "amount", amount))
                .post("/transfers");
    }

    private static long balance(UUID account) {
        return ((Number) given().get("/accounts/{id}/balance", account).then().statusCode(200)
                .extract().path("balance")).longValue();
    }

    private static long balanceAt(UUID account, OffsetDateTime at) {
        return ((Number) given().queryParam("at", at.toString()).get("/accounts/{id}/balance", account)
                .then().statusCode(200).extract().path("balance")).longValue();
    }
}
