package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL drops the service's connections (pg_terminate_backend of every backend of the
 * service's role, as an administrator or a failover would) while writers run: every answer is a success or a 503 that says to retry with
 * the same id, retrying makes each transfer exactly once, and the service recovers by itself.
 */
@QuarkusTest
class DatabaseFaultsTest {

    private static final int WRITERS = 16;
    private static final int TRANSFERS_PER_WRITER = 15;
    private static final Duration TERMINATE_EVERY = Duration.ofMillis(50);
    private static final Duration RETRY_FOR = Duration.ofSeconds(60);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(50);
    private static final String TERMINATE_OTHER_BACKENDS = """
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = current_database() AND usename = current_user AND backend_type = 'client backend'
               AND pid <> pg_backend_pid()""";

    static {
        Api.logFailures();
    }

    @Inject
    Pool pool;

    @Test
    void terminatedConnectionsGiveRetryable503sAndRetriesMakeEachTransferOnce() throws Exception {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 1_000_000);
        UUID bob = Api.openAccount(currency, 1_000_000);
        Map<UUID, Long> acknowledged = new ConcurrentHashMap<>();
        Set<String> unexpected = ConcurrentHashMap.newKeySet();
        AtomicLong terminated = new AtomicLong();
        AtomicBoolean writing = new AtomicBoolean(true);

        ExecutorService threads = Executors.newFixedThreadPool(WRITERS + 1);
        Future<?> terminator = threads.submit(() -> {
            while (writing.get()) {
                try {
                    terminated.addAndGet(Db.number(pool, TERMINATE_OTHER_BACKENDS));
                } catch (RuntimeException e) {
                    // The terminator's own connection may be the one a previous round left closing.
                }
                Thread.sleep(TERMINATE_EVERY.toMillis());
            }
            return null;
        });
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            boolean fromAlice = w % 2 == 0;
            writers.add(threads.submit(() -> {
                for (int i = 0; i < TRANSFERS_PER_WRITER; i++) {
                    UUID id = UUID.randomUUID();
                    long amount = 1 + i;
                    Map<String, Object> body = Map.of("id", id.toString(),
                            "source", (fromAlice ? alice : bob).toString(),
                            "destination", (fromAlice ? bob : alice).toString(), "amount", amount);
                    if (untilDefinite(body, id, unexpected)) {
                        acknowledged.put(id, amount);
                    }
                }
                return null;
            }));
        }
        for (Future<?> writer : writers) {
            writer.get(5, TimeUnit.MINUTES);
        }
        writing.set(false);
        terminator.get(1, TimeUnit.MINUTES);
        threads.shutdown();

        assertTrue(unexpected.isEmpty(), "every answer is a success or a retryable 503: " + unexpected);
        assertTrue(terminated.get() > 0, "connections were terminated while the writers ran");
        assertEquals(WRITERS * TRANSFERS_PER_WRITER, acknowledged.size(), "every transfer acknowledged in the end");
        for (Map.Entry<UUID, Long> ack : acknowledged.entrySet()) {
            assertEquals(ack.getValue(), Db.number(pool,
                    "SELECT sum(amount) FROM transfer WHERE id = $1 HAVING count(*) = 1", ack.getKey()));
        }
        assertEquals(2 + acknowledged.size(), Db.number(pool, "SELECT count(*) FROM transfer t"
                + " JOIN account a ON a.id = t.source WHERE a.currency = $1", currency), "fundings plus acknowledged");
        given().get("/q/health/ready").then().statusCode(200);
        LedgerInvariants.assertAll(pool);
    }

    /** True once the transfer is acknowledged (201, or 200 for a replay after a 503). */
    private static boolean untilDefinite(Map<String, Object> body, UUID id, Set<String> unexpected)
            throws InterruptedException {
        Instant giveUp = Instant.now().plus(RETRY_FOR);
        boolean retried = false;
        while (Instant.now().isBefore(giveUp)) {
            Response answer = Api.postTransfer(body);
            int status = answer.statusCode();
            if (status == 201 || (status == 200 && retried)) {
                return true;
            }
            if (status != 503 || answer.header("Retry-After") == null
                    || !answer.contentType().startsWith("application/problem+json")
                    || !id.toString().equals(answer.path("id"))) {
                unexpected.add(status + " " + answer.asString());
                return false;
            }
            retried = true;
            Thread.sleep(RETRY_PAUSE.toMillis());
        }
        unexpected.add("no definite answer for " + id + " within " + RETRY_FOR);
        return false;
    }
}
