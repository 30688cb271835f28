package dev.ledger.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.junit.jupiter.api.Test;

/**
 * The smallest backoff LedgerConfig accepts must be one Database.execute can use: with
 * ledger.retry.backoff-min=PT0S (inside the old bound, @DurationMin(millis = 0)) Mutiny threw
 * "`initialBackOff` must be greater than zero" on every statement, a 500 on every account, balance,
 * list and API-key request.
 */
class RetryBoundsTest {

    @Test
    void theSmallestAllowedBackoffIsOneMutinyTakes() throws Exception {
        Duration min = smallest("backoffMin");
        Duration max = smallest("backoffMax");
        assertDoesNotThrow(() -> Uni.createFrom().item(1).onFailure().retry().withBackOff(min, max)
                .withJitter(0.5).atMost(1), "backoff-min " + min + ", backoff-max " + max);
    }

    private static Duration smallest(String method) throws NoSuchMethodException {
        DurationMin bound = LedgerConfig.Retry.class.getMethod(method).getAnnotation(DurationMin.class);
        Duration smallest = Duration.ofDays(bound.days()).plusHours(bound.hours()).plusMinutes(bound.minutes())
                .plusSeconds(bound.seconds()).plusMillis(bound.millis()).plusNanos(bound.nanos());
        // An exclusive bound's smallest value is one nanosecond above it.
        return bound.inclusive() ? smallest : smallest.plusNanos(1);
    }
}
