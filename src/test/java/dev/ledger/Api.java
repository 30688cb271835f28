package dev.ledger;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.Map;
import java.util.UUID;

/** Small helpers over RestAssured for the tests: open accounts, post transfers, read balances. */
public final class Api {

    static {
        io.restassured.RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    private Api() {
    }

    /** Touch this class first so that failed expectations print the whole exchange. */
    public static void logFailures() {
    }

    /** A fresh currency per test, so that per-currency invariants are not disturbed by other tests. */
    public static String freshCurrency() {
        return "T" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).toUpperCase();
    }

    public static UUID openAccount(String currency, long initialBalance) {
        return UUID.fromString(given().contentType(ContentType.JSON)
                .body(Map.of("currency", currency, "initial_balance", initialBalance))
                .post("/accounts")
                .then().statusCode(201)
                .extract().path("id"));
    }

    public static Response postTransfer(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).post("/transfers");
    }

    public static Response transfer(UUID source, UUID destination, long amount) {
        return postTransfer(Map.of("source", source.toString(), "destination", destination.toString(), "amount", amount));
    }

    public static long balance(UUID account) {
        return ((Number) given().get("/accounts/{id}/balance", account).then().statusCode(200)
                .extract().path("balance")).longValue();
    }
}
