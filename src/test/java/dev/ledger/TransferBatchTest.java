package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.config.LedgerConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
import org.junit.jupiter.api.Test;

/**
 * POST /transfers/batch against the real database: each item gets exactly the answer POST
 * /transfers would give it, at its own position; an invalid item refuses the whole request and
 * writes nothing; concurrent batches on hot accounts keep every invariant.
 */
@QuarkusTest
class TransferBatchTest {

    private static final String PROBLEM = "urn:ledger:problem:";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int THREADS = 16;
    private static final int BATCHES_PER_THREAD = 4;
    private static final int ITEMS_PER_BATCH = 50;
    /** The hot account's funds, far below what half of all items ask of it. */
    private static final long HOT_FUNDS = 2_000;
    private static final long OTHER_FUNDS = 20_000;

    static {
        Api.logFailures();
    }

    @Inject
    Pool pool;

    @Inject
    LedgerConfig config;

    /** An item and what it must be answered: a status, and the problem type of a refusal. */
    private record Expected(Map<String, Object> item, int status, String type) {
    }

    @Test
    void eachItemGetsItsOwnResultAtItsPositionAndOnlyCreatedOnesAreWritten() throws IOException {
        List<Expected> mixed = mixedBatch();
        Response response = batch(items(mixed));
        response.then().statusCode(200).contentType(ContentType.JSON);
        JsonNode results = JSON.readTree(response.asString()).path("results");
        assertEquals(mixed.size(), results.size());
        Set<String> created = new HashSet<>();
        for (int i = 0; i < mixed.size(); i++) {
            Expected expected = mixed.get(i);
            JsonNode result = results.get(i);
            String at = "result " + i + ": " + result;
            assertEquals(expected.status(), result.path("status").asInt(), at);
            if (expected.type() == null) {
                JsonNode transfer = result.path("transfer");
                assertEquals(expected.item().get("id"), transfer.path("id").asText(), at);
                assertEquals(((Number) expected.item().get("amount")).longValue(), transfer.path("amount").asLong(), at);
                assertEquals(expected.status() == 200, result.has("replayed"), "replayed only on a replay: " + at);
                assertFalse(result.has("problem"), at);
                if (expected.status() == 201) {
                    created.add(transfer.path("id").asText());
                } else {
                    assertTrue(result.path("replayed").asBoolean(), at);
                }
                continue;
            }
            ObjectNode problem = (ObjectNode) result.path("problem");
            assertFalse(result.has("transfer"), at);
            assertEquals(PROBLEM + expected.type(), problem.path("type").asText(), at);
            assertEquals(expected.status(), problem.path("status").asInt(), at);
            assertEquals("/transfers/batch", problem.path("instance").asText(), at);
            assertEquals(response.header("X-Request-ID"), problem.path("request_id").asText(), at);
            // Exactly what POST /transfers answers for the item alone: a refusal is final for its
            // id (and a conflict stays one), so the single request meets the same verdict.
            Response alone = Api.postTransfer(expected.item());
            alone.then().statusCode(expected.status());
            ObjectNode single = (ObjectNode) JSON.readTree(alone.asString());
            for (ObjectNode body : List.of(single, problem)) {
                body.remove(List.of("instance", "request_id"));
            }
            assertEquals(single, problem, at);
        }
        UUID alice = UUID.fromString((String) mixed.get(0).item().get("source"));
        UUID bob = UUID.fromString((String) mixed.get(0).item().get("destination"));
        Set<String> logged = new HashSet<>();
        for (Row row : Db.query(pool, "SELECT id::text FROM transfer WHERE source = ANY($1)",
                (Object) new UUID[] {alice, bob})) {
            logged.add(row.getString(0));
        }
        Set<String> expectedLog = new HashSet<>(created);
        expectedLog.add((String) mixed.get(1).item().get("id"));
        expectedLog.add((String) mixed.get(2).item().get("id"));
        assertEquals(2, created.size(), "two items created");
        assertEquals(expectedLog, logged, "the two posted before and the two created, nothing else");
        LedgerInvariants.assertAll(pool);
    }

    /** Its items enter the batcher's queue together: on an idle service, one statement for all of them. */
    @Test
    void aBatchRequestLeavesInOneStatement() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 1_000);
        UUID bob = Api.openAccount(currency, 0);
        String before = MetricsTest.scrape();
        batch(valid(alice, bob, ITEMS_PER_BATCH)).then().statusCode(200).body("results.status", everyItem(equalTo(201)));
        String after = MetricsTest.scrape();
        assertEquals(1, MetricsTest.value(after, "ledger_batch_size_count")
                - MetricsTest.value(before, "ledger_batch_size_count"), "statements");
        assertEquals(ITEMS_PER_BATCH, MetricsTest.value(after, "ledger_batch_size_sum")
                - MetricsTest.value(before, "ledger_batch_size_sum"), "transfers in them");
    }

    /**
     * Two queued requests that do not fit one statement together: each leaves whole, in a
     * statement (one transaction) of its own, instead of the second being cut in two and waiting
     * for both statements.
     */
    @Test
    void queuedBatchRequestsAreNotCutInTwo() throws Exception {
        int itemsPerRequest = config.batch().maxSize() * 5 / 8;
        String currency = Api.freshCurrency();
        UUID blocker = Api.openAccount(currency, 1_000);
        UUID alice = Api.openAccount(currency, 1_000);
        UUID bob = Api.openAccount(currency, 0);
        ExecutorService clients = Executors.newFixedThreadPool(config.batch().maxInFlight() + 2);
        try {
            List<Future<Response>> blocked;
            List<Future<Response>> requests = new ArrayList<>();
            // Transfers waiting on the held chain fill every statement in flight, so both requests queue.
            try (Db.Held chain = Db.holdChain(pool, blocker)) {
                blocked = fillEveryStatement(clients, blocker, bob);
                for (int i = 0; i < 2; i++) {
                    requests.add(clients.submit(() -> batch(valid(alice, bob, itemsPerRequest))));
                }
                MetricsTest.awaitGauge("ledger_batch_queued", 2 * itemsPerRequest);
            }
            assertAllCreated(blocked);
            for (Future<Response> answer : requests) {
                List<String> ids = answer.get(30, TimeUnit.SECONDS).then().statusCode(200)
                        .body("results.status", everyItem(equalTo(201))).extract().path("results.transfer.id");
                assertEquals(itemsPerRequest, ids.size());
                assertEquals(1, transactionsOf(ids.stream().map(UUID::fromString).toList()), "transactions of one request");
            }
        } finally {
            clients.shutdownNow();
        }
        LedgerInvariants.assertAll(pool);
    }

    /**
     * A short queue does not start a statement beside a running one: it waits for it and leaves
     * in one statement, one commit, instead of paying a statement's fixed cost per transfer.
     */
    @Test
    void aShortQueueWaitsForTheRunningStatementAndLeavesInOne() throws Exception {
        String currency = Api.freshCurrency();
        UUID blocker = Api.openAccount(currency, 1_000);
        UUID bob = Api.openAccount(currency, 0);
        int waiting = config.batch().parallelMinSize() - 1;
        List<UUID> sources = new ArrayList<>();
        for (int i = 0; i < waiting; i++) {
            sources.add(Api.openAccount(currency, 10));
        }
        ExecutorService clients = Executors.newFixedThreadPool(waiting + 1);
        try {
            Future<Response> first;
            List<Future<Response>> queued = new ArrayList<>();
            try (Db.Held chain = Db.holdChain(pool, blocker)) {
                first = clients.submit(() -> Api.transfer(blocker, bob, 1));
                MetricsTest.awaitGauge("ledger_batch_in_flight", 1);
                for (UUID source : sources) {
                    queued.add(clients.submit(() -> Api.transfer(source, bob, 1)));
                }
                MetricsTest.awaitGauge("ledger_batch_queued", waiting);
                assertEquals(1.0, MetricsTest.value(MetricsTest.scrape(), "ledger_batch_in_flight"),
                        "statements beside the one waiting on the chain");
            }
            first.get(30, TimeUnit.SECONDS).then().statusCode(201);
            List<UUID> ids = new ArrayList<>();
            for (Future<Response> answer : queued) {
                ids.add(UUID.fromString(answer.get(30, TimeUnit.SECONDS).then().statusCode(201).extract().path("id")));
            }
            assertEquals(1, transactionsOf(ids), "transactions of the queued transfers");
        } finally {
            clients.shutdownNow();
        }
        LedgerInvariants.assertAll(pool);
    }

    /** A long queue is worth a statement of its own: it does not wait for a running one. */
    @Test
    void aLongQueueStartsAStatementBesideTheRunningOne() throws Exception {
        String currency = Api.freshCurrency();
        UUID blocker = Api.openAccount(currency, 1_000);
        UUID carol = Api.openAccount(currency, 1_000);
        UUID bob = Api.openAccount(currency, 0);
        ExecutorService client = Executors.newSingleThreadExecutor();
        try {
            Future<Response> first;
            try (Db.Held chain = Db.holdChain(pool, blocker)) {
                first = client.submit(() -> Api.transfer(blocker, bob, 1));
                MetricsTest.awaitGauge("ledger_batch_in_flight", 1);
                // Answered while the first statement still waits on the held chain.
                batch(valid(carol, bob, config.batch().parallelMinSize())).then().statusCode(200)
                        .body("results.status", everyItem(equalTo(201)));
            }
            first.get(30, TimeUnit.SECONDS).then().statusCode(201);
        } finally {
            client.shutdownNow();
        }
        assertEquals(1_000 - config.batch().parallelMinSize(), Api.balance(carol));
        LedgerInvariants.assertAll(pool);
    }

    /**
     * Starts transfers from blocker, whose chain the caller holds, until every statement slot
     * holds one that waits on it: one transfer, then for each further slot a queue long enough
     * to start a statement beside the running ones.
     */
    private List<Future<Response>> fillEveryStatement(ExecutorService clients, UUID blocker, UUID destination)
            throws InterruptedException {
        List<Future<Response>> blocked = new ArrayList<>();
        blocked.add(clients.submit(() -> Api.transfer(blocker, destination, 1)));
        MetricsTest.awaitGauge("ledger_batch_in_flight", 1);
        for (int slot = 2; slot <= config.batch().maxInFlight(); slot++) {
            blocked.add(clients.submit(() -> batch(valid(blocker, destination, config.batch().parallelMinSize()))));
            MetricsTest.awaitGauge("ledger_batch_in_flight", slot);
        }
        return blocked;
    }

    /** The answers of fillEveryStatement's requests: the transfer, then batches of transfers, all created. */
    private static void assertAllCreated(List<Future<Response>> blocked) throws Exception {
        blocked.get(0).get(30, TimeUnit.SECONDS).then().statusCode(201);
        for (Future<Response> answer : blocked.subList(1, blocked.size())) {
            answer.get(30, TimeUnit.SECONDS).then().statusCode(200).body("results.status", everyItem(equalTo(201)));
        }
    }

    /** The transactions that appended these transfers: a statement is one, its rows share an xmin. */
    private long transactionsOf(List<UUID> ids) {
        return Db.number(pool, "SELECT count(DISTINCT xmin::text) FROM transfer WHERE id = ANY($1)",
                (Object) ids.toArray(UUID[]::new));
    }

    @Test
    void aRetriedBatchIsAnsweredAsBeforeAndWritesNothing() {
        List<Map<String, Object>> items = items(mixedBatch());
        List<Map<String, Object>> first = batch(items).then().statusCode(200).extract().path("results");
        String before = HostileChecks.snapshot(pool);
        List<Map<String, Object>> again = batch(items).then().statusCode(200).extract().path("results");
        assertEquals(before, HostileChecks.snapshot(pool), "the retry wrote nothing");
        for (int i = 0; i < items.size(); i++) {
            Map<String, Object> was = first.get(i);
            Map<String, Object> is = again.get(i);
            String at = "item " + i + ": " + was + " then " + is;
            if (was.get("transfer") != null) {
                assertEquals(200, is.get("status"), at);
                assertEquals(true, is.get("replayed"), at);
                assertEquals(was.get("transfer"), is.get("transfer"), at);
            } else {
                assertEquals(was.get("status"), is.get("status"), at);
                Map<String, Object> wasProblem = cast(was.get("problem"));
                Map<String, Object> isProblem = cast(is.get("problem"));
                assertEquals(wasProblem.get("type"), isProblem.get("type"), at);
                assertEquals(wasProblem.get("detail"), isProblem.get("detail"), at);
            }
        }
    }

    @Test
    void anInvalidBatchIsRefusedWholeNamingTheItemAndWritesNothing() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 1_000);
        UUID bob = Api.openAccount(currency, 0);
        String before = HostileChecks.snapshot(pool);
        List<Map<String, Object>> repeated = valid(alice, bob, 3);
        repeated.get(2).put("id", repeated.get(0).get("id"));
        List<Map<String, Object>> withNull = valid(alice, bob, 2);
        withNull.set(1, null);
        // Each the answer's field, and a body whose only fault is there.
        List<List<String>> cases = List.of(
                List.of("transfers[1].id", withField(alice, bob, 1, "id", null)),
                List.of("transfers[2].id", body(repeated)),
                List.of("transfers[3].amount", withField(alice, bob, 3, "amount", 0)),
                List.of("transfers[2].amount", withField(alice, bob, 2, "amount", "10")),
                List.of("transfers[1].amount", withField(alice, bob, 1, "amount", 1.5)),
                List.of("transfers[1].expected_index", withField(alice, bob, 1, "expected_index", 0)),
                List.of("transfers[0].source", withField(alice, bob, 0, "source", "nope")),
                List.of("transfers[3].destination", withField(alice, bob, 3, "destination", null)),
                List.of("transfers[0].surprise", withField(alice, bob, 0, "surprise", 1)),
                List.of("transfers[2].description", withField(alice, bob, 2, "description", "bell\u0007")),
                List.of("transfers[0].description", withField(alice, bob, 0, "description", "x".repeat(513))),
                List.of("transfers[1].metadata", withField(alice, bob, 1, "metadata", Map.of("k", "nul\u0000"))),
                List.of("transfers[1]", body(withNull)),
                List.of("transfers[1]", body(valid(alice, bob, 1)).replace("}]}", "},5]}")),
                List.of("transfers", "{\"transfers\":[]}"),
                List.of("transfers", "{}"),
                List.of("transfers", "{\"transfers\":null}"),
                List.of("transfers", "{\"transfers\":{}}"),
                List.of("atomic", body(valid(alice, bob, 1)).replaceFirst("}$", ",\"atomic\":true}")),
                List.of("body", "null"));
        for (List<String> c : cases) {
            given().contentType(ContentType.JSON).body(c.get(1)).post("/transfers/batch")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("type", equalTo(PROBLEM + "validation"))
                    .body("errors.field", hasItems(c.get(0)));
        }
        given().contentType(ContentType.JSON).body("[" + body(valid(alice, bob, 1)) + "]").post("/transfers/batch")
                .then().statusCode(400).body("type", equalTo(PROBLEM + "validation"));
        given().contentType(ContentType.JSON).header("Idempotency-Key", UUID.randomUUID().toString())
                .body(body(valid(alice, bob, 1))).post("/transfers/batch")
                .then().statusCode(400).body("errors.field", hasItems("Idempotency-Key"));
        // 1,001 transfers do not fit in the 64 KiB body: its limit refuses them before the count
        // can (TransferBatchLimitTest raises it). 1,001 empty items do, and are refused by their
        // count alone, not by 3,003 missing fields.
        given().contentType(ContentType.JSON).body(body(valid(alice, bob, 1_001))).post("/transfers/batch")
                .then().statusCode(413).body("type", equalTo(PROBLEM + "payload-too-large"));
        given().contentType(ContentType.JSON).body("{\"transfers\":[" + "{},".repeat(1_000) + "{}]}")
                .post("/transfers/batch").then().statusCode(400).body("errors.field", contains("transfers"));
        assertEquals(before, HostileChecks.snapshot(pool), "nothing written");
    }

    @Test
    void parallelBatchesOnHotAccountsKeepEveryInvariant() throws Exception {
        String currency = Api.freshCurrency();
        UUID hot = Api.openAccount(currency, HOT_FUNDS);
        List<UUID> accounts = new ArrayList<>(List.of(hot));
        for (int i = 0; i < 3; i++) {
            accounts.add(Api.openAccount(currency, OTHER_FUNDS));
        }
        accounts.add(UUID.fromString(given().get("/transfers/{id}", hot).path("source")));

        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        Set<String> refused = ConcurrentHashMap.newKeySet();
        List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> writers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            writers.add(threads.submit(() -> {
                start.await();
                List<Map<String, Object>> firstBatch = null;
                List<Map<String, Object>> firstResults = null;
                for (int b = 0; b < BATCHES_PER_THREAD; b++) {
                    List<Map<String, Object>> items = randomItems(accounts);
                    List<Map<String, Object>> results = batch(items).then().statusCode(200).extract().path("results");
                    assertEquals(items.size(), results.size());
                    for (int i = 0; i < items.size(); i++) {
                        record(items.get(i), results.get(i), acknowledged, refused, unexpected);
                    }
                    if (b == 0) {
                        firstBatch = items;
                        firstResults = results;
                    }
                }
                // The first batch again, after the others: every item answered as before.
                List<Map<String, Object>> again = batch(firstBatch).then().statusCode(200).extract().path("results");
                for (int i = 0; i < again.size(); i++) {
                    int was = (Integer) firstResults.get(i).get("status");
                    int is = (Integer) again.get(i).get("status");
                    if (!(was == 201 ? is == 200 && Boolean.TRUE.equals(again.get(i).get("replayed")) : is == was)) {
                        unexpected.add("retried item " + firstBatch.get(i) + " was " + was + ", now " + again.get(i));
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> writer : writers) {
            writer.get(5, TimeUnit.MINUTES);
        }
        threads.shutdown();

        assertTrue(unexpected.isEmpty(), "every item answered 201 or insufficient-funds: " + unexpected);
        assertTrue(acknowledged.size() > THREADS * ITEMS_PER_BATCH, "enough transfers succeeded to mean something");
        assertFalse(refused.isEmpty(), "the hot source ran out of funds");
        LedgerInvariants.assertAll(pool);
        for (Map.Entry<String, Long> ack : acknowledged.entrySet()) {
            assertEquals(ack.getValue(), Db.number(pool,
                    "SELECT sum(amount) FROM transfer WHERE id = $1::uuid HAVING count(*) = 1", ack.getKey()));
        }
        assertEquals(0, Db.number(pool, "SELECT count(*) FROM transfer WHERE id::text = ANY($1)",
                (Object) refused.toArray(new String[0])), "refused transfers are absent");
        long logged = Db.number(pool, "SELECT count(*) FROM transfer t JOIN account a ON a.id = t.source"
                + " WHERE a.currency = $1", currency);
        assertEquals(accounts.size() - 1 + acknowledged.size(), logged, "funding transfers plus acknowledged ones");
    }

    @Test
    void theOpenApiDocumentDescribesTheBatch() {
        var doc = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200);
        doc.body("paths.'/transfers/batch'.post.responses.keySet()",
                containsInAnyOrder("200", "400", "401", "403", "413", "415", "503"));
        for (String schema : List.of("NewTransferBatch", "TransferBatchResult", "TransferResult")) {
            doc.body("components.schemas." + schema, notNullValue());
        }
        doc.body("components.schemas.NewTransferBatch.properties.transfers.maxItems",
                equalTo(1_000));
    }

    /** Half the items from the hot account, the rest from the others or the issuer; to any other. */
    private static List<Map<String, Object>> randomItems(List<UUID> accounts) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < ITEMS_PER_BATCH; i++) {
            UUID source = random.nextBoolean() ? accounts.get(0) : accounts.get(1 + random.nextInt(accounts.size() - 1));
            UUID destination = source;
            while (destination.equals(source)) {
                destination = accounts.get(random.nextInt(accounts.size()));
            }
            items.add(item(source, destination, 1 + random.nextLong(200)));
        }
        return items;
    }

    private static void record(Map<String, Object> item, Map<String, Object> result, Map<String, Long> acknowledged,
            Set<String> refused, List<String> unexpected) {
        String id = (String) item.get("id");
        Object status = result.get("status");
        if (Integer.valueOf(201).equals(status)) {
            acknowledged.put(id, ((Number) item.get("amount")).longValue());
        } else if (Integer.valueOf(422).equals(status)
                && (PROBLEM + "insufficient-funds").equals(((Map<?, ?>) result.get("problem")).get("type"))) {
            refused.add(id);
        } else {
            unexpected.add(item + " -> " + result);
        }
    }

    /**
     * Alice pays bob in a fresh currency; before the batch, one transfer whose id an item replays
     * and one whose id an item reuses with another amount.
     */
    private static List<Expected> mixedBatch() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 1_000);
        UUID bob = Api.openAccount(currency, 0);
        UUID foreign = Api.openAccount(Api.freshCurrency(), 0);
        Map<String, Object> earlier = item(alice, bob, 100);
        Api.postTransfer(earlier).then().statusCode(201);
        Map<String, Object> reused = item(alice, bob, 50);
        Api.postTransfer(reused).then().statusCode(201);
        reused.put("amount", 51);
        Map<String, Object> conditional = item(alice, bob, 1);
        conditional.put("expected_index", 1);
        return List.of(
                new Expected(item(alice, bob, 10), 201, null),
                new Expected(earlier, 200, null),
                new Expected(reused, 409, "idempotency-conflict"),
                new Expected(item(alice, bob, 1_000_000), 422, "insufficient-funds"),
                new Expected(item(alice, UUID.randomUUID(), 1), 404, "account-not-found"),
                new Expected(conditional, 409, "index-conflict"),
                new Expected(item(alice, foreign, 1), 422, "currency-mismatch"),
                new Expected(item(bob, alice, 5), 201, null));
    }

    private static List<Map<String, Object>> items(List<Expected> expected) {
        return expected.stream().map(Expected::item).toList();
    }

    /** A transfer with an id of its own, as a mutable JSON object. */
    private static Map<String, Object> item(UUID source, UUID destination, long amount) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", UUID.randomUUID().toString());
        item.put("source", source.toString());
        item.put("destination", destination.toString());
        item.put("amount", amount);
        return item;
    }

    static List<Map<String, Object>> valid(UUID source, UUID destination, int count) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            items.add(item(source, destination, 1));
        }
        return items;
    }

    /** Four valid items, item {@code index}'s field set to the JSON text of value (null: left out). */
    private static String withField(UUID source, UUID destination, int index, String field, Object value) {
        List<Map<String, Object>> items = valid(source, destination, 4);
        items.get(index).remove(field);
        String body = body(items);
        if (value == null) {
            return body;
        }
        String marker = "\"" + items.get(index).get("id") + "\"";
        return body.replace(marker, marker + ",\"" + field + "\":" + json(value));
    }

    static String body(List<Map<String, Object>> items) {
        Map<String, Object> body = new HashMap<>();
        body.put("transfers", items);
        return json(body);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Response batch(List<Map<String, Object>> items) {
        return given().contentType(ContentType.JSON).body(body(items)).post("/transfers/batch");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object json) {
        return (Map<String, Object>) json;
    }
}
