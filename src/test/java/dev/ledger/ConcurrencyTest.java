package dev.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many writers on a few hot accounts through the HTTP API: debits and credits of the same
 * accounts at once, opposite directions between the same pairs, amounts that often exceed the
 * balance, a hot issuer, and the same request sent twice at the same moment. Afterwards the
 * log must satisfy every invariant and hold exactly the acknowledged transfers.
 */
@QuarkusTest
class ConcurrencyTest {

    private static final int WRITERS = 48;
    private static final int TRANSFERS_PER_WRITER = 30;
    private static final int HOT_ACCOUNTS = 4;
    private static final long INITIAL_BALANCE = 5_000;

    static {
        Api.logFailures();
    }

    @Inject
    Pool pool;

    @Test
    void parallelWritersOnHotAccountsKeepEveryInvariant() throws Exception {
        String currency = Api.freshCurrency();
        List<UUID> accounts = new ArrayList<>();
        for (int i = 0; i < HOT_ACCOUNTS; i++) {
            accounts.add(Api.openAccount(currency, INITIAL_BALANCE));
        }
        UUID issuer = UUID.fromString(io.restassured.RestAssured.get("/transfers/{id}", accounts.get(0)).path("source"));
        accounts.add(issuer);

        Map<UUID, Long> acknowledged = new ConcurrentHashMap<>();
        Set<UUID> refused = ConcurrentHashMap.newKeySet();
        AtomicInteger replays = new AtomicInteger();
        List<String> unexpected = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        ExecutorService twins = Executors.newFixedThreadPool(2 * WRITERS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            writers.add(pool.submit(() -> {
                start.await();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < TRANSFERS_PER_WRITER; i++) {
                    UUID source = accounts.get(random.nextInt(accounts.size()));
                    UUID destination = accounts.get(random.nextInt(accounts.size()));
                    if (source.equals(destination)) {
                        destination = accounts.get((accounts.indexOf(source) + 1) % HOT_ACCOUNTS);
                    }
                    UUID id = UUID.randomUUID();
                    long amount = 1 + random.nextLong(3 * INITIAL_BALANCE / HOT_ACCOUNTS);
                    Map<String, Object> body = Map.of("id", id.toString(), "source", source.toString(),
                            "destination", destination.toString(), "amount", amount);
                    boolean twice = random.nextInt(5) == 0;
                    List<Response> answers = new ArrayList<>();
                    if (twice) {
                        Future<Response> a = twins.submit(() -> Api.postTransfer(body));
                        Future<Response> b = twins.submit(() -> Api.postTransfer(body));
                        answers.add(a.get());
                        answers.add(b.get());
                    } else {
                        answers.add(Api.postTransfer(body));
                    }
                    record(id, amount, answers, acknowledged, refused, replays, unexpected);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> writer : writers) {
            writer.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        twins.shutdown();

        assertTrue(unexpected.isEmpty(), "every answer is a success or a real business error: " + unexpected);
        assertTrue(acknowledged.size() > WRITERS, "enough transfers succeeded to mean something");
        assertTrue(replays.get() > 0, "some simultaneous retries were answered as replays");

        LedgerInvariants.assertAll(this.pool);
        // Every acknowledged transfer is in the log exactly once, with its amount; nothing else is.
        for (Map.Entry<UUID, Long> ack : acknowledged.entrySet()) {
            assertEquals(ack.getValue(), Db.number(this.pool,
                    "SELECT sum(amount) FROM transfer WHERE id = $1 HAVING count(*) = 1", ack.getKey()));
        }
        assertEquals(0, Db.number(this.pool, "SELECT count(*) FROM transfer WHERE id = ANY($1)",
                (Object) refused.toArray(new UUID[0])), "refused transfers are absent");
        long logged = Db.number(this.pool, "SELECT count(*) FROM transfer t JOIN account a ON a.id = t.source"
                + " WHERE a.currency = $1", currency);
        assertEquals(HOT_ACCOUNTS + acknowledged.size(), logged, "funding transfers plus acknowledged ones");
    }

    @Test
    void racingRequestsWithOneIdMakeOneTransfer() throws Exception {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 100);
        UUID bob = Api.openAccount(currency, 100);
        UUID carol = Api.openAccount(currency, 0);
        UUID id = UUID.randomUUID();
        // Half send it from alice, half from bob (different content): exactly one wins, every
        // same-content twin is a replay, every other-content twin a conflict; never a 422 or 500.
        List<Response> answers = Api.race(WRITERS, i -> Api.postTransfer(Map.of("id", id.toString(),
                "source", (i % 2 == 0 ? alice : bob).toString(), "destination", carol.toString(), "amount", 60)));
        long created = answers.stream().filter(a -> a.statusCode() == 201).count();
        assertEquals(1, created, "one transfer created");
        for (Response answer : answers) {
            assertTrue(answer.statusCode() == 201 || answer.statusCode() == 200 || answer.statusCode() == 409,
                    "answer " + answer.statusCode() + " " + answer.asString());
            if (answer.statusCode() == 409) {
                assertEquals("urn:ledger:problem:idempotency-conflict", answer.path("type"));
            }
        }
        assertEquals(1, Db.number(pool, "SELECT count(*) FROM transfer WHERE id = $1", id));
        assertEquals(60, Api.balance(carol));
        LedgerInvariants.assertAll(pool);
    }

    @Test
    void racingOpensOfOneAccountAndOfANewCurrencyMakeOneEach() throws Exception {
        String currency = Api.freshCurrency();
        UUID id = UUID.randomUUID();
        List<Response> same = Api.race(WRITERS, i -> io.restassured.RestAssured.given()
                .contentType(io.restassured.http.ContentType.JSON)
                .body(Map.of("id", id.toString(), "currency", currency, "initial_balance", 250))
                .post("/accounts"));
        assertEquals(1, same.stream().filter(a -> a.statusCode() == 201).count(), "one account created");
        assertEquals(WRITERS - 1, same.stream().filter(a -> a.statusCode() == 200).count(), "the rest replayed");
        assertEquals(250, Api.balance(id), "funded once");

        String fresh = Api.freshCurrency();
        List<Response> opens = Api.race(WRITERS, i -> io.restassured.RestAssured.given()
                .contentType(io.restassured.http.ContentType.JSON)
                .body(Map.of("currency", fresh, "initial_balance", 1)).post("/accounts"));
        assertTrue(opens.stream().allMatch(a -> a.statusCode() == 201), "every open of a new currency succeeds");
        assertEquals(1, Db.number(pool, "SELECT count(*) FROM account WHERE currency = $1 AND is_default_issuer", fresh));
        assertEquals(WRITERS + 1, Db.number(pool, "SELECT count(*) FROM account WHERE currency = $1", fresh));
        LedgerInvariants.assertAll(pool);
    }

    private static void record(UUID id, long amount, List<Response> answers, Map<UUID, Long> acknowledged,
            Set<UUID> refused, AtomicInteger replays, List<String> unexpected) {
        Set<Object> indexes = ConcurrentHashMap.newKeySet();
        boolean refusedOnce = false;
        for (Response answer : answers) {
            int status = answer.statusCode();
            if (status == 201 || status == 200) {
                acknowledged.put(id, amount);
                indexes.add(answer.path("index"));
                if (status == 200) {
                    replays.incrementAndGet();
                }
            } else if (status == 422 && "urn:ledger:problem:insufficient-funds".equals(answer.path("type"))) {
                refusedOnce = true;
            } else {
                synchronized (unexpected) {
                    unexpected.add(status + " " + answer.asString());
                }
            }
        }
        // A refusal is final for its id (V5): a twin may never be acknowledged after, or before, it.
        if (refusedOnce && !indexes.isEmpty()) {
            synchronized (unexpected) {
                unexpected.add("one id both refused and acknowledged " + id);
            }
        }
        if (refusedOnce) {
            refused.add(id);
        }
        if (indexes.size() > 1) {
            synchronized (unexpected) {
                unexpected.add("one id answered with two indexes " + indexes);
            }
        }
    }
}
