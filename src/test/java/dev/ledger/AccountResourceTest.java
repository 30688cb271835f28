package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AccountResourceTest {

    static {
        Api.logFailures();
    }

    @Test
    void opensAFundedAccountFromTheDefaultIssuer() {
        String currency = Api.freshCurrency();
        UUID id = UUID.randomUUID();
        given().contentType(ContentType.JSON)
                .body(Map.of("id", id.toString(), "currency", currency, "initial_balance", 10_000,
                        "metadata", Map.of("owner", "alice")))
                .post("/accounts")
                .then().statusCode(201)
                .header("Location", endsWith("/accounts/" + id))
                .body("id", equalTo(id.toString()))
                .body("currency", equalTo(currency))
                .body("kind", equalTo("regular"))
                .body("balance", equalTo(10_000))
                .body("transfer_count", equalTo(0))
                .body("metadata.owner", equalTo("alice"))
                .body("created_at", endsWith("Z"));

        // The funding transfer carries the account's id and comes from the currency's default issuer.
        given().get("/transfers/{id}", id).then().statusCode(200)
                .body("destination", equalTo(id.toString()))
                .body("amount", equalTo(10_000))
                .body("index", equalTo(1))
                .body("source_balance_after", equalTo(-10_000));
    }

    @Test
    void replayOfTheSameRequestReturnsTheAccountAndADifferentOneConflicts() {
        String currency = Api.freshCurrency();
        UUID id = UUID.randomUUID();
        Map<String, Object> body = Map.of("id", id.toString(), "currency", currency, "initial_balance", 500);
        given().contentType(ContentType.JSON).body(body).post("/accounts").then().statusCode(201);
        given().contentType(ContentType.JSON).body(body).post("/accounts").then().statusCode(200)
                .body("id", equalTo(id.toString())).body("balance", equalTo(500));
        given().contentType(ContentType.JSON)
                .body(Map.of("id", id.toString(), "currency", currency, "initial_balance", 501))
                .post("/accounts").then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:ledger:problem:idempotency-conflict"));
        // Only one funding transfer exists.
        given().get("/accounts/{id}/transfers", id).then().statusCode(200).body("items.size()", equalTo(1));
    }

    @Test
    void idempotencyKeyHeaderIsTheIdWhenTheBodyHasNone() {
        UUID key = UUID.randomUUID();
        String currency = Api.freshCurrency();
        given().contentType(ContentType.JSON).header("Idempotency-Key", key.toString())
                .body(Map.of("currency", currency)).post("/accounts")
                .then().statusCode(201).body("id", equalTo(key.toString()));
        given().contentType(ContentType.JSON).header("Idempotency-Key", key.toString())
                .body(Map.of("currency", currency)).post("/accounts")
                .then().statusCode(200).body("id", equalTo(key.toString()));
    }

    @Test
    void generatesTimeOrderedIdsWhenNoneIsGiven() {
        String currency = Api.freshCurrency();
        UUID first = Api.openAccount(currency, 0);
        UUID second = Api.openAccount(currency, 0);
        org.junit.jupiter.api.Assertions.assertEquals(7, first.version());
        org.junit.jupiter.api.Assertions.assertTrue(first.toString().compareTo(second.toString()) < 0,
                "UUIDv7 ids sort by creation time");
    }

    @Test
    void anIdAlreadyTakenByATransferIsAConflictNotAServerError() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 10);
        UUID bob = Api.openAccount(currency, 0);
        UUID id = UUID.randomUUID();
        Api.postTransfer(Map.of("id", id.toString(), "source", alice.toString(), "destination", bob.toString(),
                "amount", 1)).then().statusCode(201);
        given().contentType(ContentType.JSON).body(Map.of("id", id.toString(), "currency", currency,
                "initial_balance", 5)).post("/accounts")
                .then().statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("urn:ledger:problem:idempotency-conflict"))
                // In the API's words, not PostgreSQL's (which name the index).
                .body("detail", startsWith("The id is already a transfer's"));
        given().get("/accounts/{id}", id).then().statusCode(404);
    }

    @Test
    void issuerAccountsMayGoNegative() {
        String currency = Api.freshCurrency();
        UUID issuer = UUID.fromString(given().contentType(ContentType.JSON)
                .body(Map.of("currency", currency, "kind", "issuer")).post("/accounts")
                .then().statusCode(201).body("kind", equalTo("issuer")).extract().path("id"));
        UUID holder = Api.openAccount(currency, 0);
        Api.transfer(issuer, holder, 700).then().statusCode(201).body("source_balance_after", equalTo(-700));
        org.junit.jupiter.api.Assertions.assertEquals(-700, Api.balance(issuer));
        org.junit.jupiter.api.Assertions.assertEquals(700, Api.balance(holder));
    }

    @Test
    void readsAnAccountAndRejectsUnknownAndMalformedIds() {
        UUID id = Api.openAccount(Api.freshCurrency(), 42);
        given().get("/accounts/{id}", id).then().statusCode(200).body("balance", equalTo(42));
        given().get("/accounts/{id}", UUID.randomUUID()).then().statusCode(404)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:ledger:problem:not-found"))
                .body("status", equalTo(404));
        given().get("/accounts/not-a-uuid").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:ledger:problem:validation"))
                .body("errors.field", hasItem("id"));
    }

    @Test
    void rejectsInvalidAccountsWithProblemDetails() {
        for (Object body : new Object[] {
                Map.of("currency", "eur"),
                Map.of("currency", "E"),
                Map.of("currency", "EURO_TOO_LONG_CODE"),
                Map.of("currency", "EUR", "kind", "savings"),
                Map.of("currency", "EUR", "initial_balance", -1),
                Map.of("currency", "EUR", "initial_balance", 1.5),
                Map.of("currency", "EUR", "initial_balance", "100"),
                Map.of("currency", "EUR", "metadata", "not an object"),
                Map.of("currency", "EUR", "metadata", Map.of("big", "x".repeat(5000))),
                Map.of("currency", "EUR", "colour", "blue"),
                Map.of("currency", 12),
                Map.of("id", "nope", "currency", "EUR"),
                Map.of()}) {
            given().contentType(ContentType.JSON).body(body).post("/accounts")
                    .then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:ledger:problem:validation"))
                    .body("detail", notNullValue());
        }
        given().contentType(ContentType.JSON).body("{\"currency\": \"EUR\"").post("/accounts")
                .then().statusCode(400).body("type", equalTo("urn:ledger:problem:validation"));
        given().contentType(ContentType.JSON).post("/accounts")
                .then().statusCode(400).body("type", equalTo("urn:ledger:problem:validation"));
        given().contentType(ContentType.TEXT).body("currency=EUR").post("/accounts")
                .then().statusCode(415).contentType("application/problem+json")
                .body("type", equalTo("urn:ledger:problem:unsupported-media-type"));
        given().contentType(ContentType.JSON).body(Map.of("currency", "EUR")).put("/accounts")
                .then().statusCode(405).contentType("application/problem+json")
                .body("type", startsWith("urn:ledger:problem:method-not-allowed"));
    }

    @Test
    void malformedJsonIsExplainedInJsonTermsWithoutJacksonsSwitchesOrGetters() {
        String deep = "{\"a\":".repeat(40) + "1" + "}".repeat(40);
        Map<String, String> details = Map.of(
                "{\"currency\":\"EUR\",\"metadata\":" + deep + "}",
                "metadata: Document nesting depth (33) exceeds the maximum allowed (32)",
                "{\"currency\":\"EUR\",\"metadata\":{\"n\":NaN}}", "metadata: Non-standard token 'NaN'",
                "{\"currency\":\"EUR\" /* note */}", "Malformed JSON body: Unexpected character ('/' (code 47)): "
                        + "JSON has no comments",
                "{\"currency\":\"EUR\",\"metadata\":{\"n\":1}", "Malformed JSON body: Unexpected end-of-input: "
                        + "expected close marker for Object (start marker at line: 1, column: 1)",
                "{\"currency\":\"EUR\",\"initial_balance\":9223372036854775808}",
                "initial_balance: must be a JSON integer from -9223372036854775808 to 9223372036854775807",
                "{\"currency\":\"EUR\",\"initial_balance\":" + "1".repeat(1001) + "}",
                "Malformed JSON body: Number value length (1001) exceeds the maximum allowed (1000)");
        details.forEach((body, detail) -> given().contentType(ContentType.JSON).body(body).post("/accounts")
                .then().statusCode(400).contentType("application/problem+json").body("detail", equalTo(detail)));
    }

    @Test
    void balanceAtRejectsMalformedInstants() {
        UUID id = Api.openAccount(Api.freshCurrency(), 1);
        for (String at : new String[] {"yesterday", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00", "1700000000",
                "-5000-01-01T00:00:00Z", "+300000-01-01T00:00:00Z"}) {
            given().queryParam("at", at).get("/accounts/{id}/balance", id).then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("errors.field", hasItem("at"));
        }
    }

    @Test
    void balanceAtTakesInstantsOfYears1To9999AsTheInstantsYearNotItsLocalOne() {
        UUID id = Api.openAccount(Api.freshCurrency(), 1);
        // Echoed in UTC: a local year 0 is fine when the instant is in year 1, and the reverse is not.
        given().queryParam("at", "0000-12-31T23:00:00-05:00").get("/accounts/{id}/balance", id).then()
                .statusCode(200).body("at", equalTo("0001-01-01T04:00:00Z")).body("balance", equalTo(0));
        given().queryParam("at", "0001-01-01T00:00:00Z").get("/accounts/{id}/balance", id).then()
                .statusCode(200).body("at", equalTo("0001-01-01T00:00:00Z"));
        for (String at : new String[] {"0001-01-01T00:00:00+18:00", "9999-12-31T23:00:00-05:00"}) {
            given().queryParam("at", at).get("/accounts/{id}/balance", id).then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("errors.field", hasItem("at"));
        }
    }

    /** RFC 3339 section 5.6: seconds are required, T and Z may be lower case, and a leap second is valid. */
    @Test
    void balanceAtTakesRfc3339DateTimesExactly() {
        UUID id = Api.openAccount(Api.freshCurrency(), 1);
        given().queryParam("at", "2016-12-31T23:59:60Z").get("/accounts/{id}/balance", id).then()
                .statusCode(200).body("at", equalTo("2017-01-01T00:00:00Z"));
        given().queryParam("at", "2016-12-31T18:59:60.25-05:00").get("/accounts/{id}/balance", id).then()
                .statusCode(200).body("at", equalTo("2017-01-01T00:00:00.25Z"));
        given().queryParam("at", "2016-12-31t23:59:59.5z").get("/accounts/{id}/balance", id).then()
                .statusCode(200).body("at", equalTo("2016-12-31T23:59:59.5Z"));
        for (String at : new String[] {"2026-01-01T00:00Z", "2016-12-31T23:58:60Z", "2016-12-31T23:59:61Z",
                "2026-01-01T00:00:00", "2026-01-01 00:00:00Z", "2026-02-30T00:00:00Z"}) {
            given().queryParam("at", at).get("/accounts/{id}/balance", id).then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("errors.field", hasItem("at"));
        }
    }
}
