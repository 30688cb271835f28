package dev.ledger.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.config.LedgerConfig;
import dev.ledger.problem.ProblemType;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sheds load instead of queueing it: at most {@code ledger.admission.max-in-flight} API requests
 * are inside the service at once, and the next one is answered 503 with Retry-After straight
 * away, before its body is read. Without this bound an offered rate above capacity piles up
 * accepted requests waiting for a connection until the heap is gone; with it, memory and the
 * latency of admitted requests stay bounded however much is offered (docs/reliability.md,
 * "Overload"). A shed request has written nothing, so retrying it is always safe.
 *
 * <p>Health, metrics and the API documents ({@code /q/}) are never shed: an orchestrator must
 * be able to see an overloaded service is alive.
 */
@ApplicationScoped
public class AdmissionControl {

    /** Before Quarkus REST and the body handler: a shed request costs no body buffering. */
    private static final int FILTER_PRIORITY = 1_000;
    private static final String UNMETERED_PREFIX = "/q/";
    private static final long NO_TIMER = -1;

    private final int maxInFlight;
    private final long bodyTimeoutMillis;
    private final ObjectMapper json;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder shed = new LongAdder();

    AdmissionControl(LedgerConfig config, ObjectMapper json, MeterRegistry registry) {
        this.maxInFlight = config.admission().maxInFlight();
        this.bodyTimeoutMillis = config.admission().bodyTimeout().toMillis();
        this.json = json;
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("ledger.admission.max-in-flight must be at least 1");
        }
        Gauge.builder("ledger.admission.in.flight", this, AdmissionControl::inFlight)
                .description("API requests inside the service").register(registry);
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

    private void admit(RoutingContext context) {
        if (context.normalizedPath().startsWith(UNMETERED_PREFIX)) {
            context.next();
            return;
        }
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            shed.increment();
            refuse(context);
            return;
        }
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
            inFlight.decrementAndGet();
        });
        context.next();
    }

    private void refuse(RoutingContext context) {
        ProblemMappers.answer(context, json, ProblemType.OVERLOADED,
                "More than " + maxInFlight + " requests are in progress");
    }
}
