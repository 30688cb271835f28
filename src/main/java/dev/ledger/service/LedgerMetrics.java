package dev.ledger.service;

import dev.ledger.problem.ProblemType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The ledger's own meters, served at /q/metrics beside the HTTP and pool meters Quarkus makes.
 * Every tag takes a value from a closed set (an outcome, a problem type, an operation), so the
 * number of series stays fixed whatever the traffic.
 */
@ApplicationScoped
public class LedgerMetrics {

    /** Batch sizes are 1..ledger.batch.max-size (post_transfers takes at most 1000): powers of two resolve them. */
    private static final double[] BATCH_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

    private final Counter created;
    private final Counter replayed;
    private final Map<ProblemType, Counter> rejected = new EnumMap<>(ProblemType.class);
    private final Counter statementRetries;
    private final Counter batchItemRetries;
    private final DistributionSummary batchSize;
    private final Timer batchWait;

    LedgerMetrics(MeterRegistry registry) {
        created = posted(registry, "created");
        replayed = posted(registry, "replayed");
        for (ProblemType type : ProblemType.values()) {
            rejected.put(type, Counter.builder("ledger.transfers.rejected")
                    .description("Transfer requests refused, by problem type")
                    .tag("reason", type.slug()).register(registry));
        }
        statementRetries = retries(registry, "statement");
        batchItemRetries = retries(registry, "batch-item");
        batchSize = DistributionSummary.builder("ledger.batch.size")
                .description("Transfers per post_transfers statement (TransferBatcher)")
                .serviceLevelObjectives(BATCH_SIZE_BUCKETS)
                .register(registry);
        batchWait = Timer.builder("ledger.batch.wait")
                .description("Time a transfer waited in TransferBatcher's queue before its batch was sent")
                .publishPercentileHistogram()
                .register(registry);
    }

    void transferPosted(boolean isReplay) {
        (isReplay ? replayed : created).increment();
    }

    void transferRejected(ProblemType type) {
        rejected.get(type).increment();
    }

    /** A statement of LedgerService or ApiKeyService, run again as a whole. */
    void statementRetried() {
        statementRetries.increment();
    }

    /** One transfer of a batch, queued again for a later batch. */
    void batchItemRetried() {
        batchItemRetries.increment();
    }

    void batchSent(int size) {
        batchSize.record(size);
    }

    void batchWaited(long nanos) {
        batchWait.record(nanos, TimeUnit.NANOSECONDS);
    }

    private static Counter posted(MeterRegistry registry, String outcome) {
        return Counter.builder("ledger.transfers.posted")
                .description("Transfer requests answered with a transfer: created, or replayed by idempotency")
                .tag("outcome", outcome).register(registry);
    }

    private static Counter retries(MeterRegistry registry, String operation) {
        return Counter.builder("ledger.retries")
                .description("Attempts repeated after a transient failure (deadlock, serialization failure, "
                        + "a stale index or credit-lane collision)")
                .tag("operation", operation).register(registry);
    }
}
