package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TransferResourceTest {

    static {
        Api.logFailures();
    }

    @Test
    void appendsATransferAndAnswersWithTheSourceBalance() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 10_000);
        UUID bob = Api.openAccount(currency, 0);
        UUID id = UUID.randomUUID();
        Api.postTransfer(Map.of("id", id.toString(), "source", alice.toString(), "destination", bob.toString(),
                        "amount", 800, "description", "order 1234", "metadata", Map.of("order", 1234)))
                .then().statusCode(201)
                .header("Location", endsWith("/transfers/" + id))
                .body("id", equalTo(id.toString()))
                .body("source", equalTo(alice.toString()))
                .body("index", equalTo(1))
                .body("destination", equalTo(bob.toString()))
                .body("amount", equalTo(800))
                .body("currency", equalTo(currency))
                .body("description", equalTo("order 1234"))
                .body("metadata.order", equalTo(1234))
                .body("source_balance_after", equalTo(9_200))
                .body("created_at", endsWith("Z"));
        assertEquals(9_200, Api.balance(alice));
        assertEquals(800, Api.balance(bob));
        given().get("/accounts/{id}", alice).then().body("transfer_count", equalTo(1));
        given().get("/transfers/{id}", id).then().statusCode(200).body("amount", equalTo(800));
        given().get("/accounts/{source}/transfers/{index}", alice, 1).then().statusCode(200)
                .body("id", equalTo(id.toString()));
    }

    @Test
    void aRetryReturnsTheOriginalAndNeverAppendsTwice() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 1_000);
        UUID bob = Api.openAccount(currency, 0);
        Map<String, Object> body = Map.of("id", UUID.randomUUID().toString(), "source", alice.toString(),
                "destination", bob.toString(), "amount", 600);
        Response first = Api.postTransfer(body);
        first.then().statusCode(201).header("Idempotent-Replayed", nullValue());
        // The balance no longer covers a second 600: a replay must still succeed with the original.
        Api.postTransfer(body).then().statusCode(200)
                .header("Idempotent-Replayed", "true")
                .body("index", equalTo(1))
                .body("created_at", equalTo(first.path("created_at")))
                .body("source_balance_after", equalTo(400));
        Map<String, Object> different = new HashMap<>(body);
        different.put("amount", 601);
        Api.postTransfer(different).then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:ledger:problem:idempotency-conflict"));
        assertEquals(400, Api.balance(alice));
        given().get("/accounts/{id}", alice).then().body("transfer_count", equalTo(1));
    }

    @Test
    void idempotencyKeyHeaderIsTheTransferId() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 100);
        UUID bob = Api.openAccount(currency, 0);
        UUID key = UUID.randomUUID();
        Map<String, Object> body = Map.of("source", alice.toString(), "destination", bob.toString(), "amount", 10);
        given().contentType(ContentType.JSON).header("Idempotency-Key", key.toString()).body(body).post("/transfers")
                .then().statusCode(201).body("id", equalTo(key.toString()));
        given().contentType(ContentType.JSON).header("Idempotency-Key", key.toString()).body(body).post("/transfers")
                .then().statusCode(200).header("Idempotent-Replayed", "true");
        given().contentType(ContentType.JSON).header("Idempotency-Key", "not-a-uuid").body(body).post("/transfers")
                .then().statusCode(400).body("type", equalTo("urn:ledger:problem:validation"));
        assertEquals(90, Api.balance(alice));
    }

    @Test
    void expectedIndexMakesTheAppendConditional() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 100);
        UUID bob = Api.openAccount(currency, 0);
        Api.postTransfer(Map.of("source", alice.toString(), "destination", bob.toString(), "amount", 1,
                "expected_index", 1)).then().statusCode(201).body("index", equalTo(1));
        Api.postTransfer(Map.of("source", alice.toString(), "destination", bob.toString(), "amount", 1,
                        "expected_index", 1)).then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:ledger:problem:index-conflict"))
                .body("next_index", equalTo(2));
        Api.postTransfer(Map.of("source", alice.toString(), "destination", bob.toString(), "amount", 1,
                "expected_index", 2)).then().statusCode(201).body("index", equalTo(2));
        assertEquals(98, Api.balance(alice));
    }

    @Test
    void aRefusalIsFinalForItsId() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 500);
        UUID bob = Api.openAccount(currency, 0);
        String id = UUID.randomUUID().toString();
        Map<String, Object> tooMuch = Map.of("id", id, "source", alice.toString(), "destination", bob.toString(),
                "amount", 600);
        Api.postTransfer(tooMuch).then().statusCode(422).body("balance", equalTo(500));
        Api.transfer(Api.openAccount(currency, 1_000), alice, 1_000).then().statusCode(201);
        // Alice could pay now, but that id was answered "refused": a late retry of it must never
        // turn into a transfer the client was told did not happen. A new id may.
        Api.postTransfer(tooMuch).then().statusCode(422)
                .body("type", equalTo("urn:ledger:problem:insufficient-funds")).body("balance", equalTo(500));
        Api.postTransfer(Map.of("id", id, "source", alice.toString(), "destination", bob.toString(), "amount", 1))
                .then().statusCode(409).body("type", equalTo("urn:ledger:problem:idempotency-conflict"));
        given().get("/transfers/{id}", id).then().statusCode(404);
        Api.transfer(alice, bob, 600).then().statusCode(201).body("source_balance_after", equalTo(900));
    }

    @Test
    void refusesOverdraftsAndCurrencyMismatchesAndUnknownAccountsWritingNothing() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 500);
        UUID bob = Api.openAccount(currency, 0);
        UUID dollars = Api.openAccount(Api.freshCurrency(), 10);
        Api.transfer(alice, bob, 501).then().statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:ledger:problem:insufficient-funds"))
                .body("balance", equalTo(500));
        Api.transfer(alice, dollars, 1).then().statusCode(422)
                .body("type", equalTo("urn:ledger:problem:currency-mismatch"));
        Api.transfer(alice, UUID.randomUUID(), 1).then().statusCode(404)
                .body("type", equalTo("urn:ledger:problem:account-not-found"));
        Api.transfer(UUID.randomUUID(), alice, 1).then().statusCode(404)
                .body("type", equalTo("urn:ledger:problem:account-not-found"));
        assertEquals(500, Api.balance(alice));
        given().get("/accounts/{id}", alice).then().body("transfer_count", equalTo(0));
        Api.transfer(alice, bob, 500).then().statusCode(201).body("source_balance_after", equalTo(0));
    }

    @Test
    void rejectsMalformedTransfersWithValidationProblems() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 100);
        String a = alice.toString();
        String b = Api.openAccount(currency, 0).toString();
        List<String> bodies = List.of(
                "{\"source\":\"" + a + "\",\"destination\":\"" + b + "\",\"amount\":0}",
                "{\"source\":\"" + a + "\",\"destination\":\"" + b + "\",\"amount\":-5}",
                "{\"source\":\"" + a + "\",\"destination\":\"" + b + "\",\"amount\":1.5}",
                "{\"source\":\"" + a + "\",\"destination\":\"" + b + "\",\"amount\":1e3}",
                "{\"source\":\"" + a + "\",\"destination\":\"" + b + "\",\"amount\":\"10\"}",
                "{\"source\":\"" + a + "\",\"destination\":\"" + b + "\",\"amount\":true}",
                "{\"source\":\"" + a + "\",\"destination\":\"" + b + "\",\"amount\":92233720368547758070}",
                "{\"source\":\"" + a + "\",\"destination\":\"" + b + "\"}",
                "{\"source\":\"" + a + "\",\"amount\":1}",
                "{\"destination\":\"" + b + "\",\"amount\":1}",
                "{\"source\":\"" + a + "\",\"destination\":\"" + a + "\",\"amount\":1}",
                "{\"source\":\"nope\",\"destination\":\"" + b + "\",\"amount\":1}",
                "{\"source\":\"" + a + "\",\"destination\":\"" + b + "\",\"amount\":1,\"expected_index\":0}",
                "{\"source\":\"" + a + "\",\"destination\":\"" + b + "\",\"amount\":1,\"description\":\""
                        + "x".repeat(513) + "\"}",
                "{\"source\":\"" + a + "\",\"destination\":\"" + b + "\",\"amount\":1,\"metadata\":[1,2]}",
                "{\"source\":\"" + a + "\",\"destination\":\"" + b + "\",\"amount\":1,\"metadata\":{\"k\":\""
                        + "x".repeat(5000) + "\"}}",
                "{\"source\":\"" + a + "\",\"destination\":\"" + b + "\",\"amount\":1,\"surprise\":1}",
                "{\"source\":\"" + a + "\",\"destination\":\"" + b + "\",\"amount\":1",
                "{\"source\":\"" + a + "\",\"destination\":\"" + b + "\",\"amount\":1,\"description\":\"nul\\u0000\"}",
                "{\"source\":\"" + a + "\",\"destination\":\"" + b + "\",\"amount\":1,\"metadata\":{\"k\":\"\\u0000\"}}",
                "[]",
                "null",
                "");
        for (String body : bodies) {
            given().contentType(ContentType.JSON).body(body).post("/transfers")
                    .then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:ledger:problem:validation"))
                    .body("status", equalTo(400));
        }
        assertEquals(100, Api.balance(alice));
        given().get("/accounts/{id}", alice).then().body("transfer_count", equalTo(0));
    }

    @Test
    void descriptionIsLimitedInCharactersAsTheDatabaseCountsThem() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 10);
        UUID bob = Api.openAccount(currency, 0);
        // U+1F600 is two UTF-16 units; PostgreSQL's char_length counts it once.
        String longest = "\uD83D\uDE00".repeat(512);
        Api.postTransfer(Map.of("source", alice.toString(), "destination", bob.toString(), "amount", 1,
                "description", longest)).then().statusCode(201).body("description", equalTo(longest));
        Api.postTransfer(Map.of("source", alice.toString(), "destination", bob.toString(), "amount", 1,
                "description", longest + "\uD83D\uDE00")).then().statusCode(400)
                .body("type", equalTo("urn:ledger:problem:validation"))
                .body("errors.field", hasItem("description"));
    }

    @Test
    void aMetadataNumberAsLongAsTheReaderTakesIsAnsweredAndOneMoreIsRefused() {
        // 1,000 characters as PostgreSQL prints it, sign included: what the service's parser reads back.
        String longest = "-" + "9".repeat(999);
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 10);
        UUID bob = Api.openAccount(currency, 0);
        String id = given().contentType(ContentType.JSON)
                .body("{\"source\":\"" + alice + "\",\"destination\":\"" + bob + "\",\"amount\":1,\"metadata\":{\"n\":"
                        + longest + "}}")
                .post("/transfers").then().statusCode(201).extract().path("id");
        assertTrue(given().get("/transfers/{id}", id).then().statusCode(200).extract().asString()
                .contains("\"n\":" + longest + "}"));
        given().contentType(ContentType.JSON)
                .body("{\"source\":\"" + alice + "\",\"destination\":\"" + bob + "\",\"amount\":1,\"metadata\":{\"n\":-0."
                        + "9".repeat(998) + "}}")
                .post("/transfers").then().statusCode(400).body("type", equalTo("urn:ledger:problem:validation"));
    }

    @Test
    void metadataNumbersAreAnsweredExactlyAsSent() {
        String sent = "{\"a\":1e400,\"b\":1.10,\"c\":12345678901234567.5,\"d\":-1e-7,\"e\":[2.50,-0.0]}";
        // As PostgreSQL prints numeric: every digit, in plain notation, with the scale sent.
        String answered = "\"metadata\":{\"a\":1" + "0".repeat(400)
                + ",\"b\":1.10,\"c\":12345678901234567.5,\"d\":-0.0000001,\"e\":[2.50,0.0]}";
        String currency = Api.freshCurrency();
        UUID alice = UUID.randomUUID();
        String opened = given().contentType(ContentType.JSON)
                .body("{\"id\":\"" + alice + "\",\"currency\":\"" + currency + "\",\"initial_balance\":5,\"metadata\":"
                        + sent + "}")
                .post("/accounts").then().statusCode(201).extract().asString();
        UUID bob = Api.openAccount(currency, 0);
        UUID id = UUID.randomUUID();
        String posted = given().contentType(ContentType.JSON)
                .body("{\"id\":\"" + id + "\",\"source\":\"" + alice + "\",\"destination\":\"" + bob
                        + "\",\"amount\":1,\"metadata\":" + sent + "}")
                .post("/transfers").then().statusCode(201).extract().asString();
        for (String answer : List.of(opened, given().get("/accounts/{id}", alice).asString(), posted,
                given().get("/transfers/{id}", id).asString(), given().get("/accounts/{id}/transfers", bob).asString())) {
            assertTrue(answer.contains(answered), "numbers as sent, got " + answer);
        }
    }

    @Test
    void answersUnsupportedMediaTypeMethodAndRoutesAsProblems() {
        given().contentType(ContentType.XML).body("<transfer/>").post("/transfers")
                .then().statusCode(415).contentType("application/problem+json")
                .body("type", equalTo("urn:ledger:problem:unsupported-media-type"));
        given().delete("/transfers/{id}", UUID.randomUUID())
                .then().statusCode(405).contentType("application/problem+json")
                .body("type", equalTo("urn:ledger:problem:method-not-allowed"));
        given().get("/transfers/{id}", UUID.randomUUID())
                .then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("urn:ledger:problem:not-found"));
        given().get("/accounts/{source}/transfers/{index}", UUID.randomUUID(), "zero")
                .then().statusCode(400).body("type", equalTo("urn:ledger:problem:validation"));
        given().get("/nowhere").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void listsAnAccountsTransfersNewestFirstWithKeysetPagination() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 1_000);
        UUID bob = Api.openAccount(currency, 1_000);
        // alice: +1000 (funding), then alternately sends 10 to bob and receives 3 from bob.
        for (int i = 0; i < 7; i++) {
            Api.transfer(alice, bob, 10).then().statusCode(201);
            Api.transfer(bob, alice, 3).then().statusCode(201);
        }
        List<Map<String, Object>> all = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var request = given().queryParam("limit", 4);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            Response page = request.get("/accounts/{id}/transfers", alice);
            page.then().statusCode(200);
            all.addAll(page.path("items"));
            cursor = page.path("next_cursor");
            pages++;
            if (pages == 2) {
                // A position means something only in its own list: not in bob's, nor in alice's outgoing one.
                for (var other : List.of(given().queryParam("cursor", cursor).get("/accounts/{id}/transfers", bob),
                        given().queryParam("cursor", cursor).queryParam("direction", "out")
                                .get("/accounts/{id}/transfers", alice))) {
                    other.then().statusCode(400).contentType("application/problem+json")
                            .body("errors[0].field", equalTo("cursor"))
                            .body("detail", containsString("another account's list or another direction"));
                }
            }
            // A transfer arriving between pages lands before the cursor and does not shift later pages.
            if (pages == 1) {
                Api.transfer(bob, alice, 1).then().statusCode(201);
            }
        } while (cursor != null);
        assertEquals(15, all.size(), "1 funding + 14 transfers; the one added mid-way is newer than page 1");
        assertEquals(4, pages);
        long expectedBalance = 1_000 + 7 * (3 - 10);
        for (Map<String, Object> item : all) {
            assertEquals(expectedBalance, ((Number) item.get("balance_after")).longValue(), "balance_after of " + item);
            long amount = ((Number) item.get("amount")).longValue();
            expectedBalance += alice.toString().equals(item.get("source")) ? amount : -amount;
        }
        assertEquals(0, expectedBalance, "walking back from the newest item reaches zero before the funding");

        given().queryParam("direction", "out").get("/accounts/{id}/transfers", alice).then().statusCode(200)
                .body("items.size()", equalTo(7))
                .body("items[0].index", equalTo(7))
                .body("items[0].source", equalTo(alice.toString()))
                .body("next_cursor", nullValue());
        given().queryParam("direction", "in").get("/accounts/{id}/transfers", alice).then().statusCode(200)
                .body("items.size()", equalTo(9))
                .body("items[8].amount", equalTo(1_000));
    }

    @Test
    void aCursorMayStandAnywhereUpToTheYear9999() {
        UUID alice = Api.openAccount(Api.freshCurrency(), 1);
        // 2262-04-12 is past the last instant that fits in 64 bits of nanoseconds; 9999 is the last year a
        // cursor may name.
        for (String at : List.of("2262-04-12T00:00:00Z", "9999-12-31T23:59:59Z")) {
            long micros = java.time.Instant.parse(at).getEpochSecond() * 1_000_000L;
            String cursor = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                    (micros + "," + UUID.randomUUID() + ",1," + alice + ",all").getBytes());
            given().queryParam("cursor", cursor).get("/accounts/{id}/transfers", alice).then().statusCode(200)
                    .body("items.size()", equalTo(1))
                    .body("items[0].destination", equalTo(alice.toString()));
        }
    }

    @Test
    void rejectsMalformedListParameters() {
        UUID alice = Api.openAccount(Api.freshCurrency(), 1);
        for (Map<String, Object> params : List.<Map<String, Object>>of(
                Map.of("limit", 0), Map.of("limit", 1001), Map.of("limit", "ten"),
                Map.of("direction", "sideways"), Map.of("cursor", "!!!"), Map.of("cursor", "bm90LWEtY3Vyc29y"),
                Map.of("cursor", java.util.Base64.getUrlEncoder().encodeToString(
                        ("9223372036854775807," + UUID.randomUUID() + ",1," + alice + ",all").getBytes())))) {
            given().queryParams(params).get("/accounts/{id}/transfers", alice).then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:ledger:problem:validation"));
        }
        given().get("/accounts/{id}/transfers", UUID.randomUUID()).then().statusCode(404);
        Response empty = given().queryParam("direction", "out").get("/accounts/{id}/transfers", alice);
        empty.then().statusCode(200).body("items.size()", equalTo(0));
        assertNull(empty.path("next_cursor"));
    }
}
