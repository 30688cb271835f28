package dev.ledger;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

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

    /** A transfer as a JSON object, for POST /transfers or an item of POST /transfers/batch. */
    public static Map<String, Object> item(UUID id, UUID source, UUID destination, long amount) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", id.toString());
        item.put("source", source.toString());
        item.put("destination", destination.toString());
        item.put("amount", amount);
        return item;
    }

    /** Runs n requests at the same moment and returns every answer, in the order of i. */
    public static List<Response> race(int n, IntFunction<Response> request) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Response>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int which = i;
            futures.add(threads.submit(() -> {
                start.await();
                return request.apply(which);
            }));
        }
        start.countDown();
        List<Response> answers = new ArrayList<>();
        try {
            for (Future<Response> future : futures) {
                answers.add(future.get(2, TimeUnit.MINUTES));
            }
        } finally {
            threads.shutdown();
        }
        return answers;
    }

    public static long balance(UUID account) {
        return ((Number) given().get("/accounts/{id}/balance", account).then().statusCode(200)
                .extract().path("balance")).longValue();
    }
}
