package dev.ledger.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.config.LedgerConfig;
import dev.ledger.problem.ProblemType;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bounds the work inside the service: at most {@code ledger.admission.max-in-flight} API requests
 * run at once. The next ones wait for a slot, first come first served, with their headers read
 * and their bodies not (Quarkus keeps a request paused until a handler reads it): at most
 * {@code max-queued} of them, each for at most {@code queue-timeout}. So a burst after a GC pause
 * costs latency instead of errors. A queue that has not been empty for a whole
 * {@code queue-timeout} is no burst but an offered rate above capacity: then new arrivals are
 * answered 503 with Retry-After at once, until it empties. Without that rule (CoDel's insight)
 * the queue stands full, and every request waits the whole timeout, admitted or not. Without any
 * bound accepted requests pile up waiting for a connection until the heap is gone; with them,
 * memory and the latency of admitted requests stay bounded however much is offered
 * (docs/reliability.md, "Overload"). A shed request has written nothing, so retrying it is safe.
 *
 * <p>Health, metrics and the API documents ({@code /q/}) are never shed nor queued: an
 * orchestrator must be able to see an overloaded service is alive.
 */
@ApplicationScoped
public class AdmissionControl {

    /** Before Quarkus REST and the body handler: a shed request costs no body buffering. */
    private static final int FILTER_PRIORITY = 1_000;
    private static final String UNMETERED_PREFIX = "/q/";
    private static final long NO_TIMER = -1;

    private final int maxInFlight;
    private final int maxQueued;
    private final long queueTimeoutMillis;
    private final long queueTimeoutNanos;
    private final long bodyTimeoutMillis;
    private final ObjectMapper json;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Waiting requests, oldest first; {@code queued} counts those not yet claimed. */
    private final ConcurrentLinkedQueue<Waiting> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /** When the queue was last seen empty (System.nanoTime()); older than queue-timeout: standing. */
    private volatile long queueEmptyAtNanos = System.nanoTime();
    private final LongAdder shed = new LongAdder();

    AdmissionControl(LedgerConfig config, ObjectMapper json, MeterRegistry registry) {
        this.maxInFlight = config.admission().maxInFlight();
        this.maxQueued = config.admission().maxQueued();
        this.queueTimeoutMillis = config.admission().queueTimeout().toMillis();
        this.queueTimeoutNanos = config.admission().queueTimeout().toNanos();
        this.bodyTimeoutMillis = config.admission().bodyTimeout().toMillis();
        this.json = json;
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("ledger.admission.max-in-flight must be at least 1");
        }
        if (maxQueued < 0 || queueTimeoutMillis < 1) {
            throw new IllegalArgumentException(
                    "ledger.admission.max-queued must be at least 0 and queue-timeout at least 1 ms");
        }
        Gauge.builder("ledger.admission.in.flight", this, AdmissionControl::inFlight)
                .description("API requests inside the service").register(registry);
        Gauge.builder("ledger.admission.queued", queued, AtomicInteger::get)
                .description("API requests waiting for a slot").register(registry);
        FunctionCounter.builder("ledger.admission.shed", this, AdmissionControl::shedCount)
                .description("API requests refused with 503 overloaded").register(registry);
    }

    void register(@Observes Filters filters) {
        filters.register(this::admit, FILTER_PRIORITY);
    }

    /** Requests shed since start. */
    public long shedCount() {
        return shed.sum();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public int queued() {
        return queued.get();
    }

    private void admit(RoutingContext context) {
        if (context.normalizedPath().startsWith(UNMETERED_PREFIX)) {
            context.next();
            return;
        }
        long nowNanos = System.nanoTime();
        // Nobody overtakes a waiting request: a slot goes to the queue first.
        if (queued.get() == 0) {
            queueEmptyAtNanos = nowNanos;
            if (tryTakeSlot()) {
                run(context);
                return;
            }
        } else if (nowNanos - queueEmptyAtNanos > queueTimeoutNanos) {
            refuse(context, "More than " + maxInFlight + " requests are in progress, and others have been "
                    + "waiting for over " + queueTimeoutMillis + " ms");
            return;
        }
        if (queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            refuse(context, "More than " + maxInFlight + " requests are in progress and "
                    + maxQueued + " are waiting");
            return;
        }
        Waiting waiting = new Waiting(context,
                Objects.requireNonNull(Vertx.currentContext(), "filters run on an event loop"));
        waiting.timer = context.vertx().setTimer(queueTimeoutMillis, ignored -> {
            if (waiting.claim()) {
                queue.remove(waiting);
                refuse(context, "No request slot came free within " + queueTimeoutMillis + " ms");
            }
        });
        queue.add(waiting);
        drain();
    }

    private boolean tryTakeSlot() {
        int taken = inFlight.get();
        while (taken < maxInFlight) {
            if (inFlight.compareAndSet(taken, taken + 1)) {
                return true;
            }
            taken = inFlight.get();
        }
        return false;
    }

    /**
     * Hands free slots to waiting requests. Called after every enqueue and every release, each of
     * which changes one side before looking at the other, so no slot and no waiter is left idle.
     */
    private void drain() {
        while (!queue.isEmpty() && tryTakeSlot()) {
            Waiting waiting = queue.poll();
            if (waiting == null || !waiting.claim()) {
                release();
                return;
            }
            waiting.context.vertx().cancelTimer(waiting.timer);
            // On the request's own event loop, so its connection cannot close between the check
            // and the end handler that gives the slot back.
            waiting.eventLoop.runOnContext(ignored -> {
                if (waiting.context.response().closed()) {
                    release();
                } else {
                    run(waiting.context);
                }
            });
        }
    }

    private void release() {
        inFlight.decrementAndGet();
        drain();
    }

    /** Runs an admitted request, which holds its slot until its answer ends or its client leaves. */
    private void run(RoutingContext context) {
        // A client trickling its body would hold its slot for good (the idle timeout only sees
        // silence): a body not fully received by the deadline costs its connection. Only bodies:
        // a request without one may stay unended (paused) however long its answer takes.
        long deadline = HttpProblems.hasBody(context.request())
                ? context.vertx().setTimer(bodyTimeoutMillis, ignored -> {
                    if (!context.request().isEnded()) {
                        context.request().connection().close();
                    }
                })
                : NO_TIMER;
        // Runs once per request, also when the client goes away before the answer.
        context.addEndHandler(ignored -> {
            if (deadline != NO_TIMER) {
                context.vertx().cancelTimer(deadline);
            }
            release();
        });
        context.next();
    }

    private void refuse(RoutingContext context, String detail) {
        shed.increment();
        ProblemMappers.answer(context, json, ProblemType.OVERLOADED, detail);
    }

    /** A request waiting for a slot; claimed exactly once, by a free slot or by its timeout. */
    private final class Waiting {
        final RoutingContext context;
        final Context eventLoop;
        final AtomicBoolean claimed = new AtomicBoolean();
        volatile long timer;

        Waiting(RoutingContext context, Context eventLoop) {
            this.context = context;
            this.eventLoop = eventLoop;
        }

        boolean claim() {
            if (claimed.compareAndSet(false, true)) {
                if (queued.decrementAndGet() == 0) {
                    queueEmptyAtNanos = System.nanoTime();
                }
                return true;
            }
            return false;
        }
    }
}
