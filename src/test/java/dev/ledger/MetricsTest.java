package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** /q/metrics serves the HTTP, pool and ledger meters, and the ledger's counters move with traffic. */
@QuarkusTest
class MetricsTest {

    static {
        Api.logFailures();
    }

    @Test
    void metricsFollowTheTraffic() {
        String before = scrape();
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 100);
        UUID bob = Api.openAccount(currency, 0);
        Map<String, Object> body = Map.of("id", UUID.randomUUID().toString(), "source", alice.toString(),
                "destination", bob.toString(), "amount", 60);
        Api.postTransfer(body).then().statusCode(201);
        Api.postTransfer(body).then().statusCode(200);
        Api.transfer(alice, bob, 60).then().statusCode(422);
        Api.balance(bob);
        // Refused before routing (a body that is not UTF-8), so no route template names it.
        given().contentType("application/json").body(new byte[] {(byte) 0xC0, (byte) 0xAF})
                .post("/accounts/{id}/balance", bob).then().statusCode(400);
        given().contentType("application/json").body(new byte[] {(byte) 0xC0, (byte) 0xAF})
                .post("/transfers/batch").then().statusCode(400);
        String after = scrape();

        assertMoved(before, after, "ledger_transfers_posted_total{outcome=\"created\"}", 1);
        assertMoved(before, after, "ledger_transfers_posted_total{outcome=\"replayed\"}", 1);
        assertMoved(before, after, "ledger_transfers_rejected_total{reason=\"insufficient-funds\"}", 1);
        assertTrue(value(after, "ledger_batch_size_count") >= value(before, "ledger_batch_size_count") + 3);
        for (String name : new String[] {"ledger_batch_size_bucket{le=\"64.0\"}", "ledger_batch_queued",
                "ledger_batch_in_flight", "ledger_batch_wait_seconds_count",
                "ledger_retries_total{operation=\"statement\"}", "ledger_retries_total{operation=\"batch-item\"}",
                "ledger_admission_in_flight", "ledger_admission_shed_total"}) {
            assertTrue(after.contains(name), name);
        }
        // Route templates, not raw ids: the number of series does not grow with the accounts.
        assertTrue(after.contains("http_server_requests_seconds_bucket{"), "HTTP latency histograms");
        assertTrue(after.matches("(?s).*http_server_requests_seconds_count\\{[^}]*uri=\"/accounts/\\{id}/balance\".*"),
                "balance reads are counted under their route template");
        assertTrue(after.matches("(?s).*http_server_requests_seconds_count\\{[^}]*uri=\"/transfers/batch\".*"),
                "a batch refused before routing is not counted as a transfer read");
        assertFalse(after.contains(bob.toString()), "no raw account id in any series");
        // The reactive pool: how busy it is and how long requests queue for a connection.
        assertTrue(after.contains("sql_pool_queue_delay_seconds"), "pool wait time");
        assertTrue(after.contains("sql_pool_usage_seconds"), "pool usage");
    }

    static String scrape() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** Waits, for at most 10 s, until a gauge of the service reaches a value. */
    static void awaitGauge(String gauge, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (value(scrape(), gauge) < atLeast) {
            assertTrue(System.nanoTime() < deadline, gauge + " reaches " + atLeast);
            Thread.sleep(20);
        }
    }

    private static void assertMoved(String before, String after, String series, double by) {
        double moved = value(after, series) - value(before, series);
        assertTrue(moved >= by, series + " moved by " + moved + ", expected at least " + by);
    }

    /** The value of the first series starting with this name and these labels (0 when absent). */
    static double value(String scrape, String series) {
        String labels = series.contains("{") ? series.substring(series.indexOf('{') + 1, series.length() - 1) : "";
        String name = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(scrape);
        while (line.find()) {
            if (line.group(1) == null ? labels.isEmpty() : line.group(1).contains(labels)) {
                return Double.parseDouble(line.group(2));
            }
        }
        return 0;
    }
}
