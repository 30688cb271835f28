package dev.ledger.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The smallest backoff LedgerConfig accepts must be one Database.execute can use: with
 * ledger.retry.backoff-min=PT0S (inside the old bound of zero) Mutiny threw
 * "`initialBackOff` must be greater than zero" on every statement, a 500 on every account, balance,
 * list and API-key request.
 */
class RetryBoundsTest {

    @Test
    void theSmallestAllowedBackoffIsOneMutinyTakes() {
        // The smallest pair ConfigBounds lets through: backoff-max may not be below backoff-min.
        Duration min = ConfigBounds.MIN_BACKOFF;
        Duration max = ConfigBounds.MIN_BACKOFF;
        assertDoesNotThrow(() -> Uni.createFrom().item(1).onFailure().retry().withBackOff(min, max)
                .withJitter(0.5).atMost(1), "backoff-min " + min + ", backoff-max " + max);
    }
}
