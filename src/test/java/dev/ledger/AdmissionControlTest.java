package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.rest.AdmissionControl;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Overload: beyond ledger.admission.max-in-flight the service answers 503 at once instead of
 * queueing, writes nothing for what it sheds, keeps health reachable, and admits again as soon
 * as requests finish.
 */
@QuarkusTest
@TestProfile(AdmissionControlTest.FourInFlight.class)
class AdmissionControlTest {

    private static final int MAX_IN_FLIGHT = 4;
    private static final int OFFERED = 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    public static class FourInFlight implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ledger.admission.max-in-flight", Integer.toString(MAX_IN_FLIGHT),
                    "ledger.admission.body-timeout", "PT1S");
        }
    }

    static {
        Api.logFailures();
    }

    @Inject
    Pool pool;

    @Inject
    AdmissionControl admission;

    @Test
    void aSlowAnswerKeepsItsConnectionPastTheBodyTimeoutOnceItsBodyArrived() throws Exception {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 10);
        UUID bob = Api.openAccount(currency, 0);
        // Alice's chain lock keeps the transfer waiting for 3 s, three times the 1 s body timeout.
        ExecutorService client = Executors.newSingleThreadExecutor();
        try (Db.Held chain = Db.holdChain(pool, alice)) {
            Future<Response> transfer = client.submit(() -> Api.transfer(alice, bob, 1));
            Thread.sleep(3_000);
            chain.release();
            transfer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).then().statusCode(201);
        } finally {
            client.shutdown();
        }
    }

    @Test
    void aBodyThatDoesNotArriveInTimeLosesItsConnectionAndItsSlot() throws Exception {
        List<String> errors = new CopyOnWriteArrayList<>();
        Handler capture = errorsInto(errors);
        Logger.getLogger("").addHandler(capture);
        try {
            try (Socket socket = new Socket("localhost", RestAssured.port)) {
                socket.setSoTimeout((int) TIMEOUT.toMillis());
                sendHalfABody(socket);
                long start = System.nanoTime();
                assertEquals(-1, socket.getInputStream().read(), "closed without an answer");
                long waitedMillis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(waitedMillis < 5_000, "closed after the 1 s body timeout, not the idle timeout: " + waitedMillis);
            }
            awaitNoneInFlight();
            // And a client that gives up half-way through its body.
            try (Socket socket = new Socket("localhost", RestAssured.port)) {
                sendHalfABody(socket);
                Thread.sleep(200);
            }
            awaitNoneInFlight();
            Thread.sleep(200);
        } finally {
            Logger.getLogger("").removeHandler(capture);
        }
        assertEquals(List.of(), errors, "a body that never arrives is the client's doing, not an error of the service");
    }

    private static void sendHalfABody(Socket socket) throws IOException {
        socket.getOutputStream().write(("POST /transfers HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"amount\"")
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    private void awaitNoneInFlight() throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (admission.inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, admission.inFlight(), "its slot came back");
    }

    /** Collects what is logged at ERROR (SEVERE) or above, by any logger. */
    private static Handler errorsInto(List<String> errors) {
        return new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    errors.add(record.getLoggerName() + ": " + record.getMessage() + " " + record.getThrown());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void excessRequestsAreShedAtOnceAndWriteNothing() throws Exception {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 1_000);
        UUID bob = Api.openAccount(currency, 0);

        // Holding alice's chain lock keeps every admitted transfer from her inside the service.
        ExecutorService clients = Executors.newFixedThreadPool(OFFERED);
        List<UUID> ids = new ArrayList<>();
        List<Future<Response>> answers = new ArrayList<>();
        try (Db.Held chain = Db.holdChain(pool, alice)) {
            for (int i = 0; i < OFFERED; i++) {
                UUID id = UUID.randomUUID();
                ids.add(id);
                answers.add(clients.submit(() -> Api.postTransfer(Map.of("id", id.toString(),
                        "source", alice.toString(), "destination", bob.toString(), "amount", 1))));
            }
            List<UUID> shed = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (shed.size() < OFFERED - MAX_IN_FLIGHT && System.nanoTime() < deadline) {
                shed.clear();
                for (int i = 0; i < OFFERED; i++) {
                    if (answers.get(i).isDone()) {
                        Response answer = answers.get(i).get();
                        answer.then().statusCode(503)
                                .contentType("application/problem+json")
                                .header("Retry-After", "1")
                                .body("type", equalTo("urn:ledger:problem:overloaded"))
                                .body("request_id", equalTo(answer.header("X-Request-ID")));
                        shed.add(ids.get(i));
                    }
                }
                Thread.sleep(10);
            }
            assertEquals(OFFERED - MAX_IN_FLIGHT, shed.size(), "all but the admitted were shed at once");

            // Still full: reads are shed too, health is not.
            given().get("/accounts/{id}", bob).then().statusCode(503);
            given().get("/q/health/ready").then().statusCode(200);
            assertEquals(0, Db.number(pool, "SELECT count(*) FROM transfer WHERE id = ANY($1)",
                    (Object) shed.toArray(new UUID[0])), "a shed request wrote nothing");
        } finally {
            clients.shutdown();
        }

        int created = 0;
        for (Future<Response> answer : answers) {
            created += answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).statusCode() == 201 ? 1 : 0;
        }
        assertEquals(MAX_IN_FLIGHT, created, "the admitted requests finish once the lock is gone");
        assertEquals(MAX_IN_FLIGHT, Db.number(pool, "SELECT count(*) FROM transfer WHERE source = $1", alice));
        // Every finished request gave its slot back.
        for (int i = 0; i < 2 * MAX_IN_FLIGHT; i++) {
            given().get("/accounts/{id}", bob).then().statusCode(200);
        }
        LedgerInvariants.assertAll(pool);
    }
}
