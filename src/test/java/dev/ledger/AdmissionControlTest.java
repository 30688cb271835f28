package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
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
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Overload: beyond ledger.admission.max-in-flight requests wait for a slot, first come first
 * served, up to max-queued of them and for at most queue-timeout; beyond that the service answers
 * 503, writes nothing for what it sheds, keeps health reachable, and admits again as soon as
 * requests finish.
 */
@QuarkusTest
@TestProfile(AdmissionControlTest.FourInFlight.class)
class AdmissionControlTest {

    private static final int MAX_IN_FLIGHT = 4;
    private static final int MAX_QUEUED = 4;
    // Well below the 10 s statement_timeout, which would end the admitted requests.
    private static final Duration QUEUE_TIMEOUT = Duration.ofSeconds(3);
    private static final int OFFERED = 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    public static class FourInFlight implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ledger.admission.max-in-flight", Integer.toString(MAX_IN_FLIGHT),
                    "ledger.admission.max-queued", Integer.toString(MAX_QUEUED),
                    "ledger.admission.queue-timeout", QUEUE_TIMEOUT.toString(),
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
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            socket.getOutputStream().write(("POST /transfers HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"amount\"")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            long start = System.nanoTime();
            assertEquals(-1, socket.getInputStream().read(), "closed without an answer");
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waitedMillis < 5_000, "closed after the 1 s body timeout, not the idle timeout: " + waitedMillis);
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (admission.inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, admission.inFlight(), "its slot came back");
    }

    @Test
    void excessRequestsWaitUntilTheQueueTimeoutOrAreShedAtOnceAndWriteNothing() throws Exception {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 1_000);
        UUID bob = Api.openAccount(currency, 0);

        // Holding alice's chain lock keeps every admitted transfer from her inside the service.
        ExecutorService clients = Executors.newFixedThreadPool(OFFERED);
        List<UUID> ids = new ArrayList<>();
        List<Future<Response>> answers = new ArrayList<>();
        try (Db.Held chain = Db.holdChain(pool, alice)) {
            long offeredAt = System.nanoTime();
            for (int i = 0; i < OFFERED; i++) {
                answers.add(clients.submit(postTransfer(alice, bob, ids)));
            }
            int shedAtOnce = OFFERED - MAX_IN_FLIGHT - MAX_QUEUED;
            List<UUID> shed = awaitShed(answers, ids, shedAtOnce);
            assertEquals(shedAtOnce, shed.size(), "all but the admitted and the queued were shed at once");
            assertEquals(MAX_QUEUED, admission.queued(), "the next ones wait");

            shed = awaitShed(answers, ids, OFFERED - MAX_IN_FLIGHT);
            long shedMillis = (System.nanoTime() - offeredAt) / 1_000_000;
            assertEquals(OFFERED - MAX_IN_FLIGHT, shed.size(), "the queued were shed after their timeout");
            assertTrue(shedMillis >= QUEUE_TIMEOUT.toMillis(), "after the timeout: " + shedMillis + " ms");
            assertEquals(0, admission.queued());

            // Still full: health is neither queued nor shed.
            given().get("/q/health/ready").then().statusCode(200);
            assertEquals(0, Db.number(pool, "SELECT count(*) FROM transfer WHERE id = ANY($1)",
                    (Object) shed.toArray(new UUID[0])), "a shed request wrote nothing");
        } finally {
            clients.shutdown();
        }

        assertEquals(MAX_IN_FLIGHT, created(answers), "the admitted requests finish once the lock is gone");
        assertEquals(MAX_IN_FLIGHT, Db.number(pool, "SELECT count(*) FROM transfer WHERE source = $1", alice));
        // Every finished request gave its slot back.
        for (int i = 0; i < 2 * MAX_IN_FLIGHT; i++) {
            given().get("/accounts/{id}", bob).then().statusCode(200);
        }
        LedgerInvariants.assertAll(pool);
    }

    @Test
    void aWaitingRequestRunsWhenASlotComesFree() throws Exception {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 1_000);
        UUID bob = Api.openAccount(currency, 0);
        int offered = MAX_IN_FLIGHT + MAX_QUEUED;
        ExecutorService clients = Executors.newFixedThreadPool(offered);
        List<UUID> ids = new ArrayList<>();
        List<Future<Response>> answers = new ArrayList<>();
        try (Db.Held chain = Db.holdChain(pool, alice)) {
            for (int i = 0; i < offered; i++) {
                answers.add(clients.submit(postTransfer(alice, bob, ids)));
                // One at a time, so that the first ones take the slots and the last ones wait.
                awaitInside(i + 1);
            }
            assertEquals(MAX_QUEUED, admission.queued(), "the last ones wait");
            assertEquals(MAX_IN_FLIGHT, admission.inFlight());
            chain.release();
            assertEquals(offered, created(answers), "every waiting request ran, none was shed");
        } finally {
            clients.shutdown();
        }
        assertEquals(offered, Db.number(pool, "SELECT count(*) FROM transfer WHERE source = $1", alice));
        assertEquals(0, admission.inFlight());
        LedgerInvariants.assertAll(pool);
    }

    @Test
    void whileTheQueueStandsForAWholeTimeoutNewArrivalsAreShedAtOnce() throws Exception {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 1_000);
        UUID bob = Api.openAccount(currency, 0);
        ExecutorService clients = Executors.newFixedThreadPool(MAX_IN_FLIGHT + 3);
        List<UUID> ids = new ArrayList<>();
        List<Future<Response>> answers = new ArrayList<>();
        try (Db.Held chain = Db.holdChain(pool, alice)) {
            for (int i = 0; i < MAX_IN_FLIGHT + 1; i++) {
                answers.add(clients.submit(postTransfer(alice, bob, ids)));
                awaitInside(i + 1);
            }
            // A second waiter before the first one's timeout keeps the queue from emptying.
            Thread.sleep(QUEUE_TIMEOUT.toMillis() * 2 / 3);
            answers.add(clients.submit(postTransfer(alice, bob, ids)));
            awaitInside(MAX_IN_FLIGHT + 2);
            Thread.sleep(QUEUE_TIMEOUT.toMillis() / 2);
            assertTrue(admission.queued() >= 1, "the queue has not been empty for a whole timeout");

            long sentAt = System.nanoTime();
            Response late = Api.postTransfer(Map.of("source", alice.toString(), "destination", bob.toString(),
                    "amount", 1));
            long answeredMillis = (System.nanoTime() - sentAt) / 1_000_000;
            late.then().statusCode(503)
                    .body("type", equalTo("urn:ledger:problem:overloaded"))
                    .body("detail", containsString("waiting for over"));
            assertTrue(answeredMillis < QUEUE_TIMEOUT.toMillis() / 2, "shed at once: " + answeredMillis + " ms");
        } finally {
            clients.shutdown();
        }
        // The first waiter was shed at its timeout; the second runs if the lock went in its time.
        int created = created(answers);
        assertTrue(created == MAX_IN_FLIGHT || created == MAX_IN_FLIGHT + 1, "created " + created);
        LedgerInvariants.assertAll(pool);
    }

    private static Callable<Response> postTransfer(UUID source, UUID destination, List<UUID> ids) {
        UUID id = UUID.randomUUID();
        ids.add(id);
        return () -> Api.postTransfer(Map.of("id", id.toString(),
                "source", source.toString(), "destination", destination.toString(), "amount", 1));
    }

    private void awaitInside(int requests) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (admission.inFlight() + admission.queued() < requests && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(requests, admission.inFlight() + admission.queued(), "requests inside or waiting");
    }

    /** Waits until {@code count} answers arrived, checks each is a 503 overloaded, and returns their ids. */
    private static List<UUID> awaitShed(List<Future<Response>> answers, List<UUID> ids, int count) throws Exception {
        List<UUID> shed = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (shed.size() < count && System.nanoTime() < deadline) {
            shed.clear();
            for (int i = 0; i < answers.size(); i++) {
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
        return shed;
    }

    private static int created(List<Future<Response>> answers) throws Exception {
        int created = 0;
        for (Future<Response> answer : answers) {
            created += answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).statusCode() == 201 ? 1 : 0;
        }
        return created;
    }
}
