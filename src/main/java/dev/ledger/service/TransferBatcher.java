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
import java.util.function.Supplier;

/**
 * Coalesces concurrent transfer requests into batches: one statement, one transaction and one
 * commit (post_transfers) for many transfers, each still answered with its own result.
 *
 * <p>Adaptive, with no timer: a request that finds no batch running is sent at once, so a
 * lone request waits for nothing; requests arriving while one runs queue up and leave together
 * when it ends. A second statement (up to {@code max-in-flight}) starts only once
 * {@code parallel-min-size} transfers wait: a statement of one transfer costs PostgreSQL several
 * times the CPU of one more transfer in a statement (docs/benchmarks.md, record I). The transfers of one API request
 * enter the queue together, and a statement closes before a request that does not fit whole,
 * so that a request waits for one statement, not two (one larger than max-size for as few as it allows).
 * Bounded: at most max-in-flight batches of at most max-size items, and at most max-queued
 * waiting transfers (beyond: 503).
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
     * One answer per request, in their order: the row post_transfers answered (outcome created,
     * replayed or conflict) or why there is none. Delivered on the caller's own Vert.x context
     * although other requests' batches answer it. ledger.database-timeout bounds the whole wait,
     * queue included (a request queued behind batches that each time out would otherwise wait
     * several timeouts); a transfer still unanswered then gets a 503, the others keep their answers.
     */
    Uni<List<Answer>> submit(List<NewTransfer> requests) {
        if (requests.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        // A group per subscription: subscribing again submits again.
        return CallerContext.resumeOn(Uni.createFrom().deferred(() -> {
            Group group = new Group(requests.size());
            return Uni.createFrom().<List<Answer>>emitter(emitter -> {
                        group.deliverTo(emitter);
                        // Answered, timed out or its caller gone: a transfer still queued is not sent.
                        emitter.onTermination(group::close);
                        long now = System.nanoTime();
                        List<Pending> pending = new ArrayList<>(requests.size());
                        for (int i = 0; i < requests.size(); i++) {
                            pending.add(new Pending(requests.get(i), 1, false, now, group, i));
                        }
                        enqueue(pending);
                    })
                    .ifNoItem().after(config.databaseTimeout())
                    .recoverWithItem(() -> group.unanswered(() -> DatabaseErrors.noAnswerWithin(config.databaseTimeout())));
        }));
    }

    /** A request's answer: exactly one of the two is set. */
    record Answer(Row row, Throwable failure) {
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
        abandoned.forEach(pending -> pending.fail(shuttingDown()));
    }

    private synchronized double queued() {
        return queue.size();
    }

    private synchronized double inFlight() {
        return inFlight;
    }

    /** Together at the end of the queue, as far as it has room; the rest are refused. */
    private void enqueue(List<Pending> group) {
        List<Pending> refused = new ArrayList<>();
        boolean closing;
        synchronized (this) {
            closing = closed;
            for (Pending pending : group) {
                if (!closing && queue.size() < config.batch().maxQueued()) {
                    queue.addLast(pending);
                } else {
                    refused.add(pending);
                }
            }
        }
        if (!refused.isEmpty()) {
            LedgerException refusal = closing ? shuttingDown() : new LedgerException(ProblemType.DATABASE_BUSY,
                    "More than " + config.batch().maxQueued() + " transfers are waiting for the database");
            refused.forEach(pending -> pending.fail(refusal));
        }
        while (sendNextBatch()) {
            // one statement per free slot: a group larger than max-size fills several
        }
    }

    private static LedgerException shuttingDown() {
        return new LedgerException(ProblemType.SHUTTING_DOWN, "The service is shutting down");
    }

    /** Sends the head of the queue as one statement if a slot is free; false if nothing was sent. */
    private boolean sendNextBatch() {
        List<Pending> batch;
        synchronized (this) {
            if (inFlight >= config.batch().maxInFlight() || queue.isEmpty()) {
                return false;
            }
            // Beside a running statement only a long queue is worth a statement of its own.
            if (inFlight > 0 && queue.size() < config.batch().parallelMinSize()) {
                return false;
            }
            batch = new ArrayList<>(Math.min(queue.size(), config.batch().maxSize()));
            Set<UUID> ids = new HashSet<>();
            while (batch.size() < config.batch().maxSize() && !queue.isEmpty()) {
                Pending next = queue.peekFirst();
                // post_transfers takes each id once: a retry racing its original leaves in the next batch.
                if (!batch.isEmpty() && (next.alone() || ids.contains(next.request().id()))) {
                    break;
                }
                // A request that does not fit whole waits for the next statement rather than wait for two.
                if (!batch.isEmpty() && next.group() != batch.get(batch.size() - 1).group()
                        && !fitsWhole(next.group(), config.batch().maxSize() - batch.size())) {
                    break;
                }
                queue.pollFirst();
                // Its client already got a 503 (timeout): sending it now would only surprise.
                if (!next.answered()) {
                    batch.add(next);
                    ids.add(next.request().id());
                }
                if (next.alone()) {
                    break;
                }
            }
            if (batch.isEmpty()) {
                return true;
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
        return true;
    }

    /** True if the group at the head of the queue has at most {@code room} transfers queued. Guarded by this. */
    private boolean fitsWhole(Group group, int room) {
        int queued = 0;
        for (Pending pending : queue) {
            if (pending.group() != group) {
                return true;
            }
            if (++queued > room) {
                return false;
            }
        }
        return true;
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
        List<Pending> again = new ArrayList<>();
        for (Pending pending : batch) {
            if (transientFailure && pending.attempt() < config.retry().maxAttempts()) {
                metrics.batchItemRetried();
                again.add(pending.again(pending.alone()));
            } else if (answeredWithError && !transientFailure && batch.size() > 1) {
                again.add(pending.again(true));
            } else {
                pending.fail(translated);
            }
        }
        // Together, so that a retried batch leaves again as one statement.
        if (!again.isEmpty()) {
            enqueue(again);
        }
    }

    private void finished() {
        synchronized (this) {
            inFlight--;
        }
        // Not once: a call that only drops items whose callers are gone sends nothing.
        while (sendNextBatch()) {
            // one statement per free slot
        }
    }

    private void answer(List<Pending> batch, RowSet<Row> rows) {
        boolean[] answered = new boolean[batch.size()];
        for (Row row : rows) {
            int position = row.getInteger("ordinal") - 1;
            Pending pending = batch.get(position);
            answered[position] = true;
            if (!"failed".equals(row.getString("outcome"))) {
                pending.complete(row);
                continue;
            }
            pending.fail(DatabaseErrors.translate(row.getString("error_state"),
                    row.getString("error_message"), row.getString("error_detail"),
                    row.getString("error_constraint"), null));
        }
        for (int i = 0; i < answered.length; i++) {
            if (!answered[i]) {
                batch.get(i).fail(new LedgerException(ProblemType.INTERNAL,
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
     * One transfer of a group, at {@code position} in it. {@code alone}: sent in a statement of
     * its own, after its batch failed as a whole.
     */
    private record Pending(NewTransfer request, int attempt, boolean alone, long queuedAtNanos, Group group,
            int position) {

        Pending again(boolean sendAlone) {
            return new Pending(request, attempt + 1, sendAlone, System.nanoTime(), group, position);
        }

        boolean answered() {
            return group.isAnswered(position);
        }

        void complete(Row row) {
            group.answer(position, new Answer(row, null));
        }

        void fail(Throwable failure) {
            group.answer(position, new Answer(null, failure));
        }
    }

    /** The answers of one submit(): complete when each transfer has one; the first answer stands. */
    private static final class Group {
        private final Answer[] answers;
        private int missing;
        private boolean closed;
        private volatile UniEmitter<? super List<Answer>> emitter;

        Group(int size) {
            answers = new Answer[size];
            missing = size;
        }

        void deliverTo(UniEmitter<? super List<Answer>> emitter) {
            this.emitter = emitter;
        }

        /** True once the transfer has its answer, or nobody waits for it any more. */
        synchronized boolean isAnswered(int position) {
            return closed || answers[position] != null;
        }

        synchronized void close() {
            closed = true;
        }

        void answer(int position, Answer answer) {
            List<Answer> all;
            synchronized (this) {
                if (answers[position] != null) {
                    return;
                }
                answers[position] = answer;
                if (--missing > 0) {
                    return;
                }
                all = List.of(answers);
            }
            emitter.complete(all);
        }

        /** Gives every transfer still without an answer this failure (the timeout's 503). */
        synchronized List<Answer> unanswered(Supplier<Throwable> failure) {
            if (missing > 0) {
                Answer none = new Answer(null, failure.get());
                for (int i = 0; i < answers.length; i++) {
                    if (answers[i] == null) {
                        answers[i] = none;
                    }
                }
                missing = 0;
            }
            return List.of(answers);
        }
    }
}
