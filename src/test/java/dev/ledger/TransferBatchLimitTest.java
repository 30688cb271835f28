package dev.ledger;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The item count of a batch on its own. With the default 64 KiB body about 400 items fit, so
 * the count is reached only with a larger body limit: 1,000 items are each appended, 1,001 are
 * refused whole.
 */
@QuarkusTest
@TestProfile(TransferBatchLimitTest.LargeBodies.class)
class TransferBatchLimitTest {

    private static final int MAX_ITEMS = 1_000;

    public static class LargeBodies implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.limits.max-body-size", "512K");
        }
    }

    static {
        Api.logFailures();
    }

    @Inject
    Pool pool;

    @Test
    void aThousandItemsAreEachAppendedAndOneMoreIsRefused() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, MAX_ITEMS);
        UUID bob = Api.openAccount(currency, 0);
        String before = HostileChecks.snapshot(pool);
        TransferBatchTest.batch(TransferBatchTest.valid(alice, bob, MAX_ITEMS + 1)).then().statusCode(400)
                .body("type", equalTo("urn:ledger:problem:validation"))
                .body("errors.field", contains("transfers"));
        assertEquals(before, HostileChecks.snapshot(pool), "nothing written");

        TransferBatchTest.batch(TransferBatchTest.valid(alice, bob, MAX_ITEMS)).then().statusCode(200)
                .body("results.size()", equalTo(MAX_ITEMS))
                .body("results.status", everyItem(equalTo(201)));
        assertEquals(0, Api.balance(alice));
        assertEquals(MAX_ITEMS, Api.balance(bob));
        LedgerInvariants.assertAll(pool);
    }
}
