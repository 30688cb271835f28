package dev.ledger.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.problem.ProblemType;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Problems for what Vert.x refuses before any resource runs, which Quarkus would otherwise answer
 * with an empty body: a body over quarkus.http.limits.max-body-size (413), an Expect other than
 * 100-continue (417), a request target that is not a path, a missing Host (400, 404). Also
 * refuses bodies that are not UTF-8, which Jackson would read anyway (an overlong "/" as "/", UTF-16
 * as UTF-16), and transfer codings other than chunked, which Netty would pass on undone.
 */
@ApplicationScoped
class HttpProblems {

    /** Before Quarkus' own body-size check, which ends the response itself with no body. */
    private static final int BEFORE_QUARKUS_BODY_LIMIT = RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1;

    private static final Logger LOG = Logger.getLogger(HttpProblems.class);

    /** Failures Vert.x reports by status; any other failure is left to the next handler. */
    private static final Set<Integer> FRAMEWORK_FAILURES = Set.of(400, 404, 413, 417);

    private final ObjectMapper json;
    private final long maxBodySize;
    private final BodyHandler bodies;

    HttpProblems(ObjectMapper json, @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.json = json;
        this.maxBodySize = maxBodySize.asLongValue();
        this.bodies = BodyHandler.create(false).setBodyLimit(this.maxBodySize);
    }

    void install(@Observes Router router) {
        router.route().order(BEFORE_QUARKUS_BODY_LIMIT).handler(this::readBody).handler(this::requireUtf8)
                .failureHandler(this::answer);
    }

    /** Whether a body follows the headers: a Content-Length above 0, or chunks. */
    static boolean hasBody(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return request.headers().contains(HttpHeaders.TRANSFER_ENCODING, HttpHeaders.CHUNKED, true)
                || length != null && !length.equals("0");
    }

    private void readBody(RoutingContext context) {
        // Netty frames "gzip, chunked" as chunked and hands on the gzip bytes as they are.
        List<String> codings = context.request().headers().getAll(HttpHeaders.TRANSFER_ENCODING);
        if (!codings.isEmpty() && !(codings.size() == 1 && codings.get(0).strip().equalsIgnoreCase("chunked"))) {
            respond(context, ProblemType.VALIDATION, "Transfer-Encoding " + String.join(", ", codings)
                    + " is not supported; send the body as it is, with Content-Length or chunked");
            return;
        }
        // Without a body to read (Content-Length: 0, or a transfer coding Vert.x does not frame),
        // BodyHandler would wait forever for an end that Vert.x has already consumed.
        if (hasBody(context.request())) {
            bodies.handle(context);
        } else {
            context.next();
        }
    }

    private void requireUtf8(RoutingContext context) {
        Buffer body = context.body().buffer();
        if (body == null) {
            context.next();
            return;
        }
        byte[] bytes = body.getBytes();
        if (!isUtf8(bytes)) {
            respond(context, ProblemType.VALIDATION, "The request body is not valid UTF-8");
        } else if (holdsNul(bytes)) {
            // Valid UTF-8, but never JSON in it: JSON escapes every control character. Jackson would
            // take the NUL bytes for UTF-16 or UTF-32 and read the body in that encoding.
            respond(context, ProblemType.VALIDATION, "The request body holds a NUL byte; it must be UTF-8 JSON");
        } else {
            context.next();
        }
    }

    private static boolean holdsNul(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                return true;
            }
        }
        return false;
    }

    private void answer(RoutingContext context) {
        if (context.failure() instanceof HttpClosedException) {
            // The client left before its body ended, or the body deadline closed the connection
            // (AdmissionControl): no one to answer, and nothing the service did wrong, so not an
            // error for its log, which any client could otherwise fill.
            LOG.debugf("%s %s: the connection closed before the body ended", context.request().method(),
                    context.request().path());
            return;
        }
        if (!FRAMEWORK_FAILURES.contains(context.statusCode())) {
            context.next();
            return;
        }
        ProblemType type = ProblemType.ofStatus(context.statusCode());
        String detail = switch (type) {
            case PAYLOAD_TOO_LARGE -> "The request body exceeds " + maxBodySize + " bytes";
            case EXPECTATION_FAILED -> "Expect: " + context.request().getHeader(HttpHeaders.EXPECT)
                    + " is not supported; only 100-continue is";
            default -> context.failure() != null ? context.failure().getMessage()
                    : "No resource at " + context.request().uri();
        };
        respond(context, type, detail);
    }

    private void respond(RoutingContext context, ProblemType type, String detail) {
        ProblemMappers.answer(context, json, type, detail);
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
