package dev.ledger.service;

import dev.ledger.config.LedgerConfig;
import dev.ledger.mapping.NewTransfer;
import dev.ledger.problem.DatabaseErrors;
import dev.ledger.problem.LedgerException;
import dev.ledger.problem.ProblemType;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Coalesces concurrent transfer requests into batches: one statement, one transaction and one
 * commit (post_transfers) for many transfers, each still answered with its own result.
 *
 * <p>Adaptive, with no timer: a request that finds fewer than {@code max-in-flight} batches
 * running is sent at once, alone, so a lone request waits for nothing; requests arriving while
 * batches run queue up and leave together in the next one. Bounded: at most max-in-flight
 * batches of at most max-size items, and at most max-queued waiting requests (beyond: 503).
 */
@ApplicationScoped
class TransferBatcher {

    private final Pool pool;
    private final LedgerConfig config;
    private final LedgerMetrics metrics;

    /** Guarded by this. */
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** Guarded by this. */
    private int inFlight;
    /** Guarded by this. */
    private boolean closed;

    TransferBatcher(Pool pool, LedgerConfig config, LedgerMetrics metrics, MeterRegistry registry) {
        this.pool = pool;
        this.config = config;
        this.metrics = metrics;
        Gauge.builder("ledger.batch.queued", this, TransferBatcher::queued)
                .description("Transfers waiting for a batch").register(registry);
        Gauge.builder("ledger.batch.in.flight", this, TransferBatcher::inFlight)
                .description("post_transfers statements running").register(registry);
    }

    /**
     * The row post_transfers answered for this request (outcome created, replayed or conflict),
     * on the request's own Vert.x context although another request's batch answers it.
     * ledger.database-timeout bounds the whole wait, queue included: a request queued behind
     * batches that each time out would otherwise wait several timeouts.
     */
    Uni<Row> submit(NewTransfer request) {
        return CallerContext.resumeOn(Uni.createFrom().<Row>emitter(emitter -> {
                    AtomicBoolean answered = new AtomicBoolean();
                    emitter.onTermination(() -> answered.set(true));
                    enqueue(new Pending(request, 1, false, System.nanoTime(), emitter, answered));
                })
                .ifNoItem().after(config.databaseTimeout()).failWith(() -> DatabaseErrors.noAnswerWithin(config.databaseTimeout())));
    }

    /**
     * Runs after the graceful shutdown let admitted requests finish (quarkus.shutdown.timeout).
     * Whatever is still queued then is answered 503 with its id, never left without an answer.
     */
    @PreDestroy
    void close() {
        List<Pending> abandoned;
        synchronized (this) {
            closed = true;
            abandoned = new ArrayList<>(queue);
            queue.clear();
        }
        abandoned.forEach(pending -> pending.emitter().fail(shuttingDown()));
    }

    private synchronized double queued() {
        return queue.size();
    }

    private synchronized double inFlight() {
        return inFlight;
    }

    private void enqueue(Pending pending) {
        LedgerException refusal = null;
        synchronized (this) {
            if (closed) {
                refusal = shuttingDown();
            } else if (queue.size() >= config.batch().maxQueued()) {
                refusal = new LedgerException(ProblemType.DATABASE_BUSY,
                        "More than " + config.batch().maxQueued() + " transfers are waiting for the database");
            } else {
                queue.addLast(pending);
            }
        }
        if (refusal != null) {
            pending.emitter().fail(refusal);
            return;
        }
        drain();
    }

    private static LedgerException shuttingDown() {
        return new LedgerException(ProblemType.SHUTTING_DOWN, "The service is shutting down");
    }

    private void drain() {
        List<Pending> batch;
        synchronized (this) {
            if (inFlight >= config.batch().maxInFlight() || queue.isEmpty()) {
                return;
            }
            batch = new ArrayList<>(Math.min(queue.size(), config.batch().maxSize()));
            Set<UUID> ids = new HashSet<>();
            while (batch.size() < config.batch().maxSize() && !queue.isEmpty()) {
                Pending next = queue.peekFirst();
                // post_transfers takes each id once: a retry racing its original leaves in the next batch.
                if (!batch.isEmpty() && (next.alone() || ids.contains(next.request().id()))) {
                    break;
                }
                queue.pollFirst();
                // Its client already got a 503 (timeout): sending it now would only surprise.
                if (!next.answered().get()) {
                    batch.add(next);
                    ids.add(next.request().id());
                }
                if (next.alone()) {
                    break;
                }
            }
            if (batch.isEmpty()) {
                return;
            }
            inFlight++;
        }
        long now = System.nanoTime();
        batch.forEach(pending -> metrics.batchWaited(now - pending.queuedAtNanos()));
        metrics.batchSent(batch.size());
        pool.preparedQuery(Sql.POST_TRANSFERS).execute(arguments(batch))
                .ifNoItem().after(config.databaseTimeout()).failWith(() -> DatabaseErrors.noAnswerWithin(config.databaseTimeout()))
                .subscribe().with(rows -> {
                    finished();
                    answer(batch, rows);
                }, failure -> {
                    finished();
                    retryOrFail(batch, failure);
                });
    }

    /**
     * post_transfers answers each item's refusal as a row, so an error of the whole statement is
     * a deadlock (retried like any transient failure), a lost connection, or one item's
     * unforeseen error, which must not refuse its neighbours: then each item goes again alone.
     * Every item carries its id, so sending it again is safe whether or not the first attempt
     * committed: it is then answered as a replay.
     */
    private void retryOrFail(List<Pending> batch, Throwable failure) {
        boolean answeredWithError = failure instanceof PgException;
        boolean transientFailure = DatabaseErrors.isTransient(failure);
        RuntimeException translated = DatabaseErrors.translate(failure);
        for (Pending pending : batch) {
            if (transientFailure && pending.attempt() < config.retry().maxAttempts()) {
                metrics.batchItemRetried();
                enqueue(pending.again(pending.alone()));
            } else if (answeredWithError && !transientFailure && batch.size() > 1) {
                enqueue(pending.again(true));
            } else {
                pending.emitter().fail(translated);
            }
        }
    }

    private void finished() {
        synchronized (this) {
            inFlight--;
        }
        drain();
    }

    private void answer(List<Pending> batch, RowSet<Row> rows) {
        boolean[] answered = new boolean[batch.size()];
        for (Row row : rows) {
            int position = row.getInteger("ordinal") - 1;
            Pending pending = batch.get(position);
            answered[position] = true;
            if (!"failed".equals(row.getString("outcome"))) {
                pending.emitter().complete(row);
                continue;
            }
            pending.emitter().fail(DatabaseErrors.translate(row.getString("error_state"),
                    row.getString("error_message"), row.getString("error_detail"),
                    row.getString("error_constraint"), null));
        }
        for (int i = 0; i < answered.length; i++) {
            if (!answered[i]) {
                batch.get(i).emitter().fail(new LedgerException(ProblemType.INTERNAL,
                        "The database gave no answer for a transfer of the batch", Map.of(), null));
            }
        }
    }

    private static Tuple arguments(List<Pending> batch) {
        int size = batch.size();
        UUID[] ids = new UUID[size];
        UUID[] sources = new UUID[size];
        UUID[] destinations = new UUID[size];
        Long[] amounts = new Long[size];
        Long[] expectedIndexes = new Long[size];
        String[] descriptions = new String[size];
        String[] metadata = new String[size];
        for (int i = 0; i < size; i++) {
            NewTransfer request = batch.get(i).request();
            ids[i] = request.id();
            sources[i] = request.source();
            destinations[i] = request.destination();
            amounts[i] = request.amount();
            expectedIndexes[i] = request.expectedIndex();
            descriptions[i] = request.description();
            metadata[i] = Metadata.encode(request.metadata());
        }
        return Tuple.of(ids, sources, destinations, amounts, expectedIndexes, descriptions)
                .addArrayOfString(metadata);
    }

    /**
     * {@code answered} turns true when the request got its answer, including a timeout's 503.
     * {@code alone}: sent in a statement of its own, after its batch failed as a whole.
     */
    private record Pending(NewTransfer request, int attempt, boolean alone, long queuedAtNanos,
            UniEmitter<? super Row> emitter, AtomicBoolean answered) {

        Pending again(boolean sendAlone) {
            return new Pending(request, attempt + 1, sendAlone, System.nanoTime(), emitter, answered);
        }
    }
}
