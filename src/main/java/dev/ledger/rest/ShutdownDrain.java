package dev.ledger.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.problem.ProblemType;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * From SIGTERM on, requests that were not yet admitted get a 503 with Retry-After instead of a
 * transfer that might commit just as the server closes their connection (Quarkus' graceful
 * shutdown alone keeps admitting them). Admitted requests finish (quarkus.shutdown.timeout);
 * health endpoints stay open so that readiness reports DOWN during quarkus.shutdown.delay.
 */
@ApplicationScoped
public class ShutdownDrain {

    /** After RequestIds (2,000), so the problem carries the request id; before AdmissionControl (1,000). */
    private static final int PRIORITY = 1_500;
    private static final String MANAGEMENT_PREFIX = "/q/";

    private final ObjectMapper json;
    private volatile boolean draining;

    ShutdownDrain(ObjectMapper json) {
        this.json = json;
    }

    void onShutdownStarted(@Observes ShutdownDelayInitiatedEvent event) {
        draining = true;
    }

    void register(@Observes Filters filters) {
        filters.register(context -> {
            if (!draining || context.normalizedPath().startsWith(MANAGEMENT_PREFIX)) {
                context.next();
                return;
            }
            context.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            ProblemMappers.answer(context, json, ProblemType.SHUTTING_DOWN, "The service is shutting down");
        }, PRIORITY);
    }
}
