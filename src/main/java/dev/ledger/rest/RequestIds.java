package dev.ledger.rest;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.MDC;

/**
 * Gives every request an id (X-Request-ID) that the response header, every problem+json body and
 * every log line written for the request carry, so that one id finds a request in the logs.
 *
 * <p>A client's own id is kept when it is short and made of safe characters, so it can be traced
 * across services; anything else is replaced, so a header cannot inject text into logs.
 */
@ApplicationScoped
public class RequestIds {

    public static final String HEADER = "X-Request-ID";

    /** The MDC key: %X{request_id} in the text log format, a field of its own in JSON logs. */
    public static final String MDC_KEY = "request_id";

    private static final int MAX_LENGTH_CHARS = 128;
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1," + MAX_LENGTH_CHARS + "}");

    /**
     * Before every other handler, health and metrics included, so that all of them see the id;
     * also before AdmissionControl (1,000; higher runs first), so a shed request's 503 has one.
     */
    private static final int PRIORITY = 2_000;

    void register(@Observes Filters filters) {
        filters.register(RequestIds::assign, PRIORITY);
    }

    private static void assign(RoutingContext context) {
        String incoming = context.request().getHeader(HEADER);
        String id = incoming != null && SAFE.matcher(incoming).matches() ? incoming : UUID.randomUUID().toString();
        // Replaced on the request itself, so the problem mappers and the access log read the same id.
        context.request().headers().set(HEADER, id);
        context.response().putHeader(HEADER, id);
        // Quarkus keeps the MDC in the request's own (duplicated) Vert.x context, so it follows the
        // request across its asynchronous steps, on whichever event-loop turn they run.
        MDC.put(MDC_KEY, id);
        context.next();
    }
}
