package dev.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An error of a whole post_transfers statement, which no rule of the ledger produces for a single
 * item, must not refuse the other items of the batch (TransferBatcher sends each again alone).
 */
@QuarkusTest
class BatchFailureTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** The amount the stand-in for an unforeseen error fails on. */
    private static final long CURSED_AMOUNT = 777;
    private static final int NEIGHBOURS = 6;

    @Inject
    Pool pool;

    /** Only the owner may add a trigger. */
    @Inject
    @ReactiveDataSource("owner")
    Pool owner;

    @Test
    void oneItemsUnforeseenErrorDoesNotRefuseItsNeighbours() throws Exception {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 1_000);
        UUID carol = Api.openAccount(currency, 1_000);
        UUID bob = Api.openAccount(currency, 0);
        Db.query(owner, """
                CREATE FUNCTION test_unforeseen_error() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.amount = 777 THEN
                        RAISE EXCEPTION 'an unforeseen error' USING ERRCODE = 'XX000';
                    END IF;
                    RETURN NEW;
                END $$""");
        // Named to fire after transfer_append: the row has passed every rule when it fails.
        Db.query(owner, "CREATE TRIGGER zz_test_unforeseen_error BEFORE INSERT ON transfer"
                + " FOR EACH ROW EXECUTE FUNCTION test_unforeseen_error()");
        ExecutorService clients = Executors.newFixedThreadPool(1 + NEIGHBOURS + 1);
        try {
            List<Future<Response>> blocked = new ArrayList<>();
            List<Future<Response>> neighbours = new ArrayList<>();
            Future<Response> cursed;
            // Alice's transfer waits on her chain lock in the running statement, and a queue
            // shorter than ledger.batch.parallel-min-size waits for it: carol's transfers queue
            // and leave together in the next batch.
            String before = MetricsTest.scrape();
            try (Db.Held chain = Db.holdChain(pool, alice)) {
                blocked.add(clients.submit(() -> Api.transfer(alice, bob, 1)));
                MetricsTest.awaitGauge("ledger_batch_in_flight", 1);
                for (int i = 0; i < NEIGHBOURS; i++) {
                    neighbours.add(clients.submit(() -> Api.transfer(carol, bob, 1)));
                }
                cursed = clients.submit(() -> Api.transfer(carol, bob, CURSED_AMOUNT));
                MetricsTest.awaitGauge("ledger_batch_queued", NEIGHBOURS + 1);
            }
            for (Future<Response> answer : blocked) {
                answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).then().statusCode(201);
            }
            for (Future<Response> answer : neighbours) {
                answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).then().statusCode(201);
            }
            cursed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).then().statusCode(500);
            // Alice's statement of 1, carol's of 7 that failed, then each of those 7 alone.
            assertEquals(1 + 2 * (NEIGHBOURS + 1), MetricsTest.value(MetricsTest.scrape(), "ledger_batch_size_sum")
                    - MetricsTest.value(before, "ledger_batch_size_sum"), "transfers sent, counting each attempt");
        } finally {
            clients.shutdownNow();
            Db.query(owner, "DROP TRIGGER zz_test_unforeseen_error ON transfer");
            Db.query(owner, "DROP FUNCTION test_unforeseen_error()");
        }
        assertEquals(NEIGHBOURS, Db.number(pool, "SELECT count(*) FROM transfer WHERE source = $1", carol));
        assertEquals(1_000 - NEIGHBOURS, Api.balance(carol));
        LedgerInvariants.assertAll(pool);
    }
}
