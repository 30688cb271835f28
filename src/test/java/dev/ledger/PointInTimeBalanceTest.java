package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Balances at past instants, across many transfers in both directions and several credit lanes. */
@QuarkusTest
class PointInTimeBalanceTest {

    private static final int TRANSFERS = 120;

    static {
        Api.logFailures();
    }

    @Inject
    Pool pool;

    @Test
    void balanceAtEveryPastInstantMatchesTheHistory() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 1_000);
        List<UUID> others = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            others.add(Api.openAccount(currency, 1_000));
        }
        OffsetDateTime funded = OffsetDateTime.parse(given().get("/transfers/{id}", alice).path("created_at"));

        Random random = new Random(42);
        List<OffsetDateTime> instants = new ArrayList<>();
        List<Long> balances = new ArrayList<>();
        long balance = 1_000;
        for (int i = 0; i < TRANSFERS; i++) {
            UUID other = others.get(random.nextInt(others.size()));
            boolean outgoing = random.nextBoolean();
            long amount = 1 + random.nextInt(60);
            Response answer = outgoing ? Api.transfer(alice, other, amount) : Api.transfer(other, alice, amount);
            if (answer.statusCode() == 422) {
                continue; // the other account ran dry: nothing written, nothing to remember
            }
            answer.then().statusCode(201);
            balance += outgoing ? -amount : amount;
            instants.add(OffsetDateTime.parse(answer.path("created_at")));
            balances.add(balance);
        }

        assertEquals(0, balanceAt(alice, funded.minus(1, ChronoUnit.MICROS)), "before the funding");
        assertEquals(1_000, balanceAt(alice, funded), "at the funding instant");
        for (int i = 0; i < instants.size(); i++) {
            OffsetDateTime at = instants.get(i);
            assertEquals(balances.get(i), balanceAt(alice, at), "at transfer " + i);
            long before = i == 0 ? 1_000 : balances.get(i - 1);
            assertEquals(before, balanceAt(alice, at.minus(1, ChronoUnit.MICROS)), "just before transfer " + i);
            assertEquals(naiveBalanceAt(alice, at), balanceAt(alice, at), "derived = full recomputation");
        }
        assertEquals(balance, balanceAt(alice, OffsetDateTime.now(ZoneOffset.UTC).plusYears(1)));
        assertEquals(balance, Api.balance(alice));
        // Offsets other than UTC name the same instant.
        OffsetDateTime last = instants.get(instants.size() - 1).withOffsetSameInstant(ZoneOffset.ofHours(5));
        given().queryParam("at", last.toString()).get("/accounts/{id}/balance", alice).then().statusCode(200)
                .body("balance", equalTo((int) balance))
                .body("currency", equalTo(currency))
                .body("account_id", equalTo(alice.toString()));
        LedgerInvariants.assertAll(pool);
    }

    @Test
    void balanceWithoutAnInstantIsNow() {
        UUID alice = Api.openAccount(Api.freshCurrency(), 77);
        OffsetDateTime before = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(5);
        Response answer = given().get("/accounts/{id}/balance", alice);
        answer.then().statusCode(200).body("balance", equalTo(77));
        OffsetDateTime at = OffsetDateTime.parse(answer.path("at"));
        assertEquals(true, at.isAfter(before), "at is the current instant");
        given().get("/accounts/{id}/balance", UUID.randomUUID()).then().statusCode(404);
    }

    /**
     * The balance read is one plan, with the account lookup and the index probes inlined (V8):
     * a PL/pgSQL layer or a STRICT or VOLATILE declaration would show up as a Function Scan and
     * cost a separate executor per call. The same instant serves every probe and the answer.
     */
    @Test
    void balanceReadIsOnePlanAtOneInstant() {
        UUID alice = Api.openAccount(Api.freshCurrency(), 5);
        // A test database is small enough that a sequential scan of account can be the cheaper
        // plan (CI saw one). Turning seq scans off asks the question that matters at any size:
        // can every lookup be served from an index? If one cannot, the Seq Scan stays in the plan.
        StringBuilder plan = new StringBuilder();
        pool.withTransaction(connection -> connection.query("SET LOCAL enable_seqscan = off").execute()
                .chain(() -> connection.preparedQuery("EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM account_balance($1, $2)")
                        .execute(Tuple.of(alice, null))))
                .await().atMost(Duration.ofSeconds(30))
                .forEach(row -> plan.append(row.getString(0)).append('\n'));
        String text = plan.toString();
        assertEquals(false, text.contains("Function Scan on public."), text);
        assertEquals(false, text.contains("Seq Scan"), text);
        for (String index : List.of("account_pkey", "transfer_credit_lane_time", "transfer_source_time")) {
            assertEquals(true, text.contains(" " + index + " on public.") || text.contains(" on " + index), index + " in\n" + text);
        }
        Row row = Db.query(pool, "SELECT balance, at, balance_at($1, at) AS again FROM account_balance($1, NULL)", alice)
                .iterator().next();
        assertEquals(5, row.getLong("balance"));
        assertEquals(row.getLong("balance"), row.getLong("again"), "the balance at the answer's own instant");
    }

    private static long balanceAt(UUID account, OffsetDateTime at) {
        return ((Number) given().queryParam("at", at.toString()).get("/accounts/{id}/balance", account)
                .then().statusCode(200).extract().path("balance")).longValue();
    }

    private long naiveBalanceAt(UUID account, OffsetDateTime at) {
        return Db.number(pool, "SELECT coalesce(sum(CASE WHEN destination = $1 THEN amount ELSE -amount END), 0)"
                + " FROM transfer WHERE (source = $1 OR destination = $1) AND created_at <= $2", account, at);
    }
}
