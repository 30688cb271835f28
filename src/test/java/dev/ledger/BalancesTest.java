package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** GET /balances: many accounts in one read, at one instant, from one snapshot. */
@QuarkusTest
class BalancesTest {

    private static final int ACCOUNTS = 8;
    private static final int WRITERS = 8;
    private static final Duration WRITING = Duration.ofSeconds(4);

    static {
        Api.logFailures();
    }

    @Test
    void answersEachIdInTheRequestsOrderAtOneInstant() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 1_000);
        UUID bob = Api.openAccount(currency, 250);
        UUID issuer = issuerOf(alice);
        String before = given().get("/transfers/{id}", alice).path("created_at");
        Api.transfer(alice, bob, 100).then().statusCode(201);

        Response read = given().queryParam("account_ids", join(bob, alice, issuer, bob)).get("/balances");
        read.then().statusCode(200)
                .body("balances.account_id", equalTo(List.of(bob.toString(), alice.toString(), issuer.toString(),
                        bob.toString())))
                .body("balances.balance", equalTo(List.of(350, 900, -1_250, 350)))
                .body("balances.currency", equalTo(Collections.nCopies(4, currency)));
        assertEquals(1, read.jsonPath().getList("balances.at").stream().distinct().count(), "one instant for all");

        // At a past instant, as GET /accounts/{id}/balance answers it: alice funded, bob not yet.
        given().queryParam("account_ids", join(alice, bob)).queryParam("at", before).get("/balances").then()
                .statusCode(200).body("balances.balance", equalTo(List.of(1_000, 0)))
                .body("balances.at", equalTo(List.of(before, before)));
    }

    /**
     * Jepsen's bank check, read through the API: while writers move money between the accounts
     * of a currency, every read of all of them at once sums to 0 and finds no regular account
     * negative. Separate reads would not: a transfer can commit between two of them.
     */
    @Test
    void allAccountsOfACurrencyReadTogetherSumToZeroWhileTransfersRun() throws Exception {
        String currency = Api.freshCurrency();
        List<UUID> accounts = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            accounts.add(Api.openAccount(currency, 100));
        }
        UUID issuer = issuerOf(accounts.get(0));
        String all = join(accounts.toArray(UUID[]::new)) + "," + issuer;

        ExecutorService threads = Executors.newFixedThreadPool(WRITERS);
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Future<Integer>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            writers.add(threads.submit(() -> {
                int created = 0;
                while (writing.get()) {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    UUID source = accounts.get(random.nextInt(ACCOUNTS));
                    UUID destination = accounts.get(random.nextInt(ACCOUNTS));
                    if (!source.equals(destination)) {
                        int status = Api.transfer(source, destination, 1 + random.nextInt(40)).statusCode();
                        assertTrue(status == 201 || status == 422, "a transfer was answered " + status);
                        created += status == 201 ? 1 : 0;
                    }
                }
                return created;
            }));
        }
        int reads = 0;
        try {
            Instant end = Instant.now().plus(WRITING);
            while (Instant.now().isBefore(end)) {
                List<Map<String, Object>> balances = given().queryParam("account_ids", all).get("/balances")
                        .then().statusCode(200).extract().path("balances");
                long sum = 0;
                for (Map<String, Object> balance : balances.subList(0, ACCOUNTS)) {
                    long value = ((Number) balance.get("balance")).longValue();
                    assertTrue(value >= 0, "a regular account read negative: " + balances);
                    sum += value;
                }
                sum += ((Number) balances.get(ACCOUNTS).get("balance")).longValue();
                assertEquals(0, sum, "balances read together sum to 0: " + balances);
                reads++;
            }
        } finally {
            writing.set(false);
            threads.shutdown();
        }
        int created = 0;
        for (Future<Integer> writer : writers) {
            created += writer.get();
        }
        assertTrue(created > 0 && reads > 0, created + " transfers and " + reads + " reads: the check ran");
    }

    @Test
    void unknownIdsAreNamedByTheirPlaceInTheList() {
        UUID alice = Api.openAccount(Api.freshCurrency(), 1);
        UUID ghost = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        given().queryParam("account_ids", join(alice, ghost, alice, other)).get("/balances").then()
                .statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("urn:ledger:problem:not-found"))
                .body("errors.field", equalTo(List.of("account_ids[1]", "account_ids[3]")))
                .body("detail", equalTo("account_ids[1]: account " + ghost + " does not exist; account_ids[3]: account "
                        + other + " does not exist"));
    }

    @Test
    void malformedListsAreRefusedNamingTheParameterOrTheId() {
        UUID alice = Api.openAccount(Api.freshCurrency(), 1);
        String hundred = Collections.nCopies(100, alice.toString()).stream().collect(Collectors.joining(","));
        given().queryParam("account_ids", hundred).get("/balances").then().statusCode(200)
                .body("balances.size()", equalTo(100));
        Map<String, String> fields = Map.of(
                hundred + "," + alice, "account_ids",
                alice + ",nope", "account_ids[1]",
                alice + ",", "account_ids[1]",
                "," + alice, "account_ids[0]",
                alice + ", " + alice, "account_ids[1]");
        fields.forEach((ids, field) -> given().queryParam("account_ids", ids).get("/balances").then()
                .statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("urn:ledger:problem:validation"))
                .body("errors[0].field", equalTo(field)));
        given().get("/balances").then().statusCode(400).body("errors[0].field", equalTo("account_ids"));
        given().queryParam("account_ids", alice.toString()).queryParam("at", "0001-01-01T00:00:00+18:00")
                .get("/balances").then().statusCode(400).body("errors[0].field", equalTo("at"));
    }

    /** The default issuer that funded an account: the source of its funding transfer, which has the account's id. */
    private static UUID issuerOf(UUID account) {
        return UUID.fromString(given().get("/transfers/{id}", account).then().statusCode(200).extract().path("source"));
    }

    private static String join(UUID... ids) {
        return Arrays.stream(ids).map(UUID::toString).collect(Collectors.joining(","));
    }
}
