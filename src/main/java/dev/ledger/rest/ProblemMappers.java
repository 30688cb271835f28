package dev.ledger.rest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.ledger.config.JacksonConfig;
import dev.ledger.problem.LedgerException;
import dev.ledger.problem.Problem;
import dev.ledger.problem.ProblemType;
import io.quarkus.hibernate.validator.runtime.jaxrs.ResteasyReactiveViolationException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.UriInfo;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one error model: every failure leaves as an RFC 9457 application/problem+json body. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    private final AllowedMethods allowed;

    /**
     * What the parser's messages say in Java terms, which the client can do nothing with: a
     * limit's getter ("(32, from `StreamReadConstraints.getMaxNestingDepth()`)"), a parser switch
     * to turn on ("enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow", "Feature
     * 'ALLOW_COMMENTS' not enabled"), and the redacted source before a line and column.
     * HostileChecks fails on any of them in an answer.
     */
    private static final Pattern PARSER_JAVA_TERMS = Pattern.compile(", from `[^`]*`"
            + "|: enable `[^`]*` to allow"
            + "|(maybe a \\(non-standard\\) comment\\? \\(not recognized as one since Feature '\\w+' not enabled for parser\\))"
            + "|\\[Source: [^;\\]]*; (line: \\d+, column: \\d+)]");

    ProblemMappers(AllowedMethods allowed) {
        this.allowed = allowed;
    }

    @ServerExceptionMapper
    public RestResponse<Problem> ledger(LedgerException e, UriInfo uri, HttpHeaders headers) {
        return respond(problem(e, uri, headers));
    }

    @ServerExceptionMapper
    public RestResponse<Problem> web(WebApplicationException e, UriInfo uri, Request request, HttpHeaders headers,
            RoutingContext raw) {
        int status = e.getResponse().getStatus();
        ProblemType type = ProblemType.ofStatus(status);
        if (status == 400 && e.getCause() instanceof JacksonException json) {
            return json(json, uri, headers);
        }
        // Quarkus REST's 405 carries no Allow, which RFC 9110 requires.
        String allow = type == ProblemType.METHOD_NOT_ALLOWED ? allowed.allow(raw) : null;
        // JAX-RS' own messages speak of @Produces and @Consumes; say what the client can change.
        String detail = switch (type) {
            case NOT_FOUND -> "No resource at " + uri.getPath();
            case METHOD_NOT_ALLOWED -> request.getMethod() + " is not allowed on " + uri.getPath()
                    + (allow == null ? "" : "; allowed: " + allow);
            case NOT_ACCEPTABLE -> "Answers are application/json, errors application/problem+json; Accept: "
                    + headers.getHeaderString(HttpHeaders.ACCEPT) + " takes neither";
            case UNSUPPORTED_MEDIA_TYPE -> StrictRequests.notJson(headers.getHeaderString(HttpHeaders.CONTENT_TYPE));
            default -> e.getMessage();
        };
        RestResponse<Problem> response = respond(type, detail, uri, headers, Map.of());
        if (allow != null) {
            response.getHeaders().putSingle(HttpHeaders.ALLOW, allow);
        }
        return response;
    }

    @ServerExceptionMapper
    public RestResponse<Problem> json(JacksonException e, UriInfo uri, HttpHeaders headers) {
        if (e instanceof MismatchedInputException mismatch && mismatch.getPath().isEmpty()) {
            // The wrong kind of document: an array, a string, nothing, or a second value after the first.
            return respond(ProblemType.VALIDATION, "The body must be one JSON object", uri, headers, Map.of());
        }
        String message = inJsonTerms(e);
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            // As the client writes the path: transfers[3].amount.
            StringBuilder field = new StringBuilder();
            for (JsonMappingException.Reference reference : mapping.getPath()) {
                if (reference.getFieldName() == null) {
                    field.append('[').append(reference.getIndex()).append(']');
                } else {
                    field.append(field.length() == 0 ? "" : ".").append(reference.getFieldName());
                }
            }
            return respond(ProblemType.VALIDATION, field + ": " + message, uri, headers,
                    Map.of("errors", List.of(Map.of("field", field.toString(), "message", message))));
        }
        return respond(ProblemType.VALIDATION, "Malformed JSON body: " + message, uri, headers, Map.of());
    }

    /**
     * Jackson's message for a value of the wrong type names the Java type it was bound to
     * ("java.util.ArrayList<dev.ledger.mapping.NewTransfer>"); the client sent JSON, and is told
     * what JSON the field takes instead.
     */
    private static String inJsonTerms(JacksonException e) {
        // Raised by the parser, or wrapped with the field's path by the binding.
        Throwable raised = e instanceof JsonMappingException ? e.getCause() : e;
        if (raised instanceof InputCoercionException coercion) {
            // "Numeric value (<the digits sent>) out of range of long (...)": the range, in JSON terms.
            return coercion.getTargetType() == Long.TYPE || coercion.getTargetType() == Long.class
                    ? "must be a JSON integer from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE
                    : "holds a number out of range";
        }
        if (raised instanceof JsonProcessingException parser && !(raised instanceof JsonMappingException)) {
            // Java 17's MatchResult has numbered groups only: 1 is the comment, 2 the line and column.
            return PARSER_JAVA_TERMS.matcher(parser.getOriginalMessage()).replaceAll(match ->
                    match.group(2) != null ? Matcher.quoteReplacement(match.group(2))
                            : match.group(1) != null ? "JSON has no comments" : "");
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "is not a field here; the fields are " + unknown.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", "));
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return "must be " + JacksonConfig.expected(mismatch.getTargetType());
        }
        if (e.getCause() instanceof NumberFormatException) {
            // An exponent beyond 32 bits (1e2147483648), which no BigDecimal holds.
            return "holds a number out of range";
        }
        return e.getOriginalMessage();
    }

    /** More specific than {@link #json}, to take precedence over Quarkus' built-in mapper of this type. */
    @ServerExceptionMapper
    public RestResponse<Problem> mismatchedJson(MismatchedInputException e, UriInfo uri, HttpHeaders headers) {
        return json(e, uri, headers);
    }

    /** Ahead of Quarkus' own mapper of this type, which answers an empty 500: a definition error is ours. */
    @ServerExceptionMapper
    public RestResponse<Problem> invalidDefinition(InvalidDefinitionException e, UriInfo uri, HttpHeaders headers) {
        return unexpected(e, uri, headers);
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
        return respond(problem(e, uri, headers));
    }

    /**
     * The body this request is answered with for this failure. A batch item's problem is built
     * here too, so that it is exactly what POST /transfers would have answered for the item.
     */
    static Problem problem(Throwable failure, UriInfo uri, HttpHeaders headers) {
        if (!(failure instanceof LedgerException e)) {
            LOG.error("Unexpected error", failure);
            return problem(ProblemType.INTERNAL, "Unexpected error; it has been logged", uri, headers, Map.of());
        }
        if (e.type() == ProblemType.INTERNAL) {
            LOG.error("Internal error", e);
        } else if (e.type().status() == 503 && e.getCause() != null) {
            // The client's detail leaves the cause out (a database's host and port): it is here.
            LOG.warnf("%s: %s", e.getMessage(), e.getCause());
        }
        return problem(e.type(), e.getMessage(), uri, headers, e.extensions());
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

    /**
     * The path below the method and its parameter, as the client writes it: "post.request.amount"
     * names the body's field "amount", "postBatch.request.transfers[3].expectedIndex" the field
     * "transfers[3].expected_index", a null item "transfers[3]". The body itself is "body".
     */
    private static String field(ConstraintViolation<?> violation) {
        StringBuilder field = new StringBuilder();
        int depth = 0;
        for (Path.Node node : violation.getPropertyPath()) {
            if (depth++ < 2) {
                continue;
            }
            if (node.isInIterable()) {
                field.append('[').append(node.getIndex()).append(']');
            }
            // A list's element is named "<list element>": its index above is all the client wrote.
            if (node.getKind() != ElementKind.CONTAINER_ELEMENT) {
                field.append(field.length() == 0 ? "" : ".").append(snakeCase(node.getName()));
            }
        }
        return field.length() == 0 ? "body" : field.toString();
    }

    private static String snakeCase(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The answer of a route filter that refuses a request before Quarkus REST sees it (overload,
     * an oversized or non-UTF-8 body, what Vert.x rejects by status): the same problem body and
     * headers as {@link #respond}.
     */
    static void answer(RoutingContext context, ObjectMapper json, ProblemType type, String detail) {
        HttpServerResponse response = context.response();
        if (response.headWritten()) {
            return;
        }
        Problem problem = Problem.of(type, detail, context.request().path(),
                context.request().getHeader(RequestIds.HEADER), Map.of());
        String body;
        try {
            body = json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A problem body always serializes", e);
        }
        response.setStatusCode(type.status()).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (type.status() == 503) {
            response.putHeader(HttpHeaders.RETRY_AFTER, Problem.RETRY_AFTER_SECONDS);
        }
        if (type == ProblemType.PAYLOAD_TOO_LARGE) {
            // The rest of the body is never read; the connection cannot serve another request.
            response.putHeader(io.vertx.core.http.HttpHeaders.CONNECTION, "close");
        }
        response.end(body);
    }

    private static RestResponse<Problem> respond(ProblemType type, String detail, UriInfo uri, HttpHeaders headers,
            Map<String, Object> extensions) {
        return respond(problem(type, detail, uri, headers, extensions));
    }

    /** The request id was checked or generated by RequestIds before any resource ran. */
    private static Problem problem(ProblemType type, String detail, UriInfo uri, HttpHeaders headers,
            Map<String, Object> extensions) {
        return Problem.of(type, detail, uri == null ? null : uri.getPath(),
                headers == null ? null : headers.getHeaderString(RequestIds.HEADER), extensions);
    }

    private static RestResponse<Problem> respond(Problem problem) {
        RestResponse.ResponseBuilder<Problem> builder = RestResponse.ResponseBuilder.<Problem>create(problem.status())
                .entity(problem).type(Problem.MEDIA_TYPE);
        if (problem.status() == 503) {
            builder.header(HttpHeaders.RETRY_AFTER, Problem.RETRY_AFTER_SECONDS);
        }
        if (problem.status() == ProblemType.UNAUTHORIZED.status()) {
            // RFC 6750: tells the client which scheme to use.
            builder.header(HttpHeaders.WWW_AUTHENTICATE, Authentication.SCHEME);
        }
        return builder.build();
    }
}
