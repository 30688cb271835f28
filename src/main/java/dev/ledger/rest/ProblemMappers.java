package dev.ledger.rest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.ledger.problem.LedgerException;
import dev.ledger.problem.Problem;
import dev.ledger.problem.ProblemType;
import io.quarkus.hibernate.validator.runtime.jaxrs.ResteasyReactiveViolationException;
import io.vertx.ext.web.RoutingContext;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.UriInfo;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one error model: every failure leaves as an RFC 9457 application/problem+json body. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public RestResponse<Problem> ledger(LedgerException e, UriInfo uri, HttpHeaders headers) {
        if (e.type() == ProblemType.INTERNAL) {
            LOG.error("Internal error", e);
        }
        return respond(e.type(), e.getMessage(), uri, headers, e.extensions());
    }

    @ServerExceptionMapper
    public RestResponse<Problem> web(WebApplicationException e, UriInfo uri, HttpHeaders headers) {
        int status = e.getResponse().getStatus();
        ProblemType type = ProblemType.ofStatus(status);
        if (status == 400 && e.getCause() instanceof JacksonException json) {
            return json(json, uri, headers);
        }
        RestResponse<Problem> response = respond(type, e.getMessage(), uri, headers, Map.of());
        String allow = e.getResponse().getHeaderString(HttpHeaders.ALLOW);
        if (allow != null) {
            response.getHeaders().putSingle(HttpHeaders.ALLOW, allow);
        }
        return response;
    }

    @ServerExceptionMapper
    public RestResponse<Problem> json(JacksonException e, UriInfo uri, HttpHeaders headers) {
        String message = e.getOriginalMessage().replaceFirst(" \\(but could if coercion was enabled.*", "");
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream()
                    .map(reference -> reference.getFieldName() != null
                            ? reference.getFieldName() : "[" + reference.getIndex() + "]")
                    .collect(Collectors.joining("."));
            return respond(ProblemType.VALIDATION, field + ": " + message, uri, headers,
                    Map.of("errors", List.of(Map.of("field", field, "message", message))));
        }
        return respond(ProblemType.VALIDATION, "Malformed JSON body: " + message, uri, headers, Map.of());
    }

    /** More specific than {@link #json}, to take precedence over Quarkus' built-in mapper of this type. */
    @ServerExceptionMapper
    public RestResponse<Problem> mismatchedJson(MismatchedInputException e, UriInfo uri, HttpHeaders headers) {
        return json(e, uri, headers);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> violations(ResteasyReactiveViolationException e, UriInfo uri, HttpHeaders headers) {
        return violationsOf(e, uri, headers);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> constraintViolations(ConstraintViolationException e, UriInfo uri, HttpHeaders headers) {
        return violationsOf(e, uri, headers);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> unexpected(Throwable e, UriInfo uri, HttpHeaders headers) {
        LOG.error("Unexpected error", e);
        return respond(ProblemType.INTERNAL, "Unexpected error; it has been logged", uri, headers, Map.of());
    }

    private static RestResponse<Problem> violationsOf(ConstraintViolationException e, UriInfo uri, HttpHeaders headers) {
        List<Map<String, String>> errors = e.getConstraintViolations().stream()
                .sorted(Comparator.comparing(v -> v.getPropertyPath().toString()))
                .map(v -> Map.of("field", field(v), "message", v.getMessage()))
                .toList();
        String detail = errors.stream().map(error -> error.get("field") + " " + error.get("message"))
                .collect(Collectors.joining("; "));
        return respond(ProblemType.VALIDATION, detail, uri, headers, Map.of("errors", errors));
    }

    /** "post.request.amount" names the body's field "amount"; the body itself is "body". */
    private static String field(ConstraintViolation<?> violation) {
        String path = violation.getPropertyPath().toString();
        String[] parts = path.split("\\.");
        return parts.length >= 3 ? snakeCase(parts[parts.length - 1]) : "body";
    }

    private static String snakeCase(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** The answer of a route filter that refuses a request before Quarkus REST sees it. */
    static void answer(RoutingContext context, ObjectMapper json, ProblemType type, String detail) {
        Problem problem = Problem.of(type, detail, context.normalizedPath(),
                context.request().getHeader(RequestIds.HEADER), Map.of());
        String body;
        try {
            body = json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A problem body always serializes", e);
        }
        context.response()
                .setStatusCode(problem.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.RETRY_AFTER, Problem.RETRY_AFTER_SECONDS)
                .end(body);
    }

    /** The request id was checked or generated by RequestIds before any resource ran. */
    private static RestResponse<Problem> respond(ProblemType type, String detail, UriInfo uri, HttpHeaders headers,
            Map<String, Object> extensions) {
        Problem problem = Problem.of(type, detail, uri == null ? null : uri.getPath(),
                headers == null ? null : headers.getHeaderString(RequestIds.HEADER), extensions);
        RestResponse.ResponseBuilder<Problem> builder = RestResponse.ResponseBuilder.<Problem>create(type.status())
                .entity(problem).type(Problem.MEDIA_TYPE);
        if (type.status() == 503) {
            builder.header(HttpHeaders.RETRY_AFTER, Problem.RETRY_AFTER_SECONDS);
        }
        if (type == ProblemType.UNAUTHORIZED) {
            // RFC 6750: tells the client which scheme to use.
            builder.header(HttpHeaders.WWW_AUTHENTICATE, Authentication.SCHEME);
        }
        return builder.build();
    }
}
