package dev.ledger;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * ledger.database-timeout bounds a batch request's wait: every item still unanswered then gets a
 * 503 with its own id, and the same batch sent again appends each item once. Here the request's
 * timer and its statement's fire together; which one answers is not what this test tells apart.
 */
@QuarkusTest
@TestProfile(TransferBatchTimeoutTest.ShortTimeout.class)
class TransferBatchTimeoutTest {

    private static final int ITEMS = 3;

    public static class ShortTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ledger.database-timeout", "PT2S");
        }
    }

    static {
        Api.logFailures();
    }

    @Inject
    Pool pool;

    @Test
    void itemsUnansweredAtTheTimeoutGet503sWithTheirIdsAndARetryAppendsEachOnce() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 1_000);
        UUID carol = Api.openAccount(currency, 1_000);
        UUID bob = Api.openAccount(currency, 0);
        // One statement: carol's items wait with alice's on her held chain.
        List<Map<String, Object>> items = new ArrayList<>(TransferBatchTest.valid(alice, bob, 1));
        items.addAll(TransferBatchTest.valid(carol, bob, ITEMS));
        List<Object> ids = items.stream().map(item -> item.get("id")).toList();
        try (Db.Held chain = Db.holdChain(pool, alice)) {
            TransferBatchTest.batch(items).then().statusCode(200)
                    .body("results.status", everyItem(equalTo(503)))
                    .body("results.problem.type", everyItem(equalTo("urn:ledger:problem:database-unavailable")))
                    .body("results.problem.id", equalTo(ids));
        }
        // The statement may commit after the 503s, or not at all: a retry settles it either way.
        TransferBatchTest.batch(items).then().statusCode(200)
                .body("results.transfer.id", equalTo(ids));
        assertEquals(1_000 - 1, Api.balance(alice));
        assertEquals(1_000 - ITEMS, Api.balance(carol));
        assertEquals(1 + ITEMS, Api.balance(bob));
        LedgerInvariants.assertAll(pool);
    }
}
