package dev.ledger.rest;

import dev.ledger.problem.LedgerException;
import dev.ledger.problem.ProblemType;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses requests whose meaning the service would otherwise have to guess. JAX-RS ignores a
 * query parameter no resource reads (a typo such as {@code limt=10} would silently get the
 * default), takes the first of repeated parameters or headers, treats an empty one as absent,
 * strips matrix parameters, and accepts a body without a Content-Type, in any charset, or
 * compressed, reading it as plain UTF-8 JSON all the same.
 */
public class StrictRequests {

    /** RFC 8259: JSON is UTF-8 and application/json defines no parameter; charset=utf-8 is tolerated. */
    private static final Pattern JSON_CONTENT_TYPE =
            Pattern.compile("(?i)application/json(\\s*;\\s*charset\\s*=\\s*(utf-8|\"utf-8\"))?\\s*");

    /** Headers the API reads, each of which has one meaning only once. */
    private static final List<String> SINGLE_HEADERS = List.of("Idempotency-Key");

    private final Map<Method, Set<String>> queryNames = new ConcurrentHashMap<>();

    @ServerRequestFilter
    public void refuseAmbiguity(ContainerRequestContext request, ResourceInfo resource, HttpServerRequest raw) {
        // JAX-RS strips matrix parameters from path parameters: "{id};jsessionid=1" would read as {id}.
        if (raw.path().indexOf(';') >= 0) {
            throw Params.invalid("path", "must not carry matrix parameters (';')");
        }
        Set<String> known = queryNames.computeIfAbsent(resource.getResourceMethod(), StrictRequests::queryNames);
        request.getUriInfo().getQueryParameters().forEach((name, values) -> {
            if (!known.contains(name)) {
                throw Params.invalid(name, "is not a query parameter of this resource"
                        + (known.isEmpty() ? ", which takes none" : "; it takes " + String.join(", ", known)));
            }
            requireOne(name, values);
        });
        for (String header : SINGLE_HEADERS) {
            List<String> values = request.getHeaders().get(header);
            if (values != null) {
                requireOne(header, values);
            }
        }
        if (HttpMethod.POST.equals(request.getMethod())) {
            requireJson(request);
        }
    }

    private static void requireOne(String name, List<String> values) {
        if (values.size() > 1) {
            throw Params.invalid(name, "must be given once");
        }
        if (values.get(0).isEmpty()) {
            throw Params.invalid(name, "must not be empty");
        }
    }

    private static void requireJson(ContainerRequestContext request) {
        String type = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (type == null || !JSON_CONTENT_TYPE.matcher(type).matches()) {
            throw new LedgerException(ProblemType.UNSUPPORTED_MEDIA_TYPE, notJson(type));
        }
        String encoding = request.getHeaderString(HttpHeaders.CONTENT_ENCODING);
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            throw new LedgerException(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Encoding " + encoding + " is not supported; send the body uncompressed");
        }
    }

    static String notJson(String contentType) {
        return "The body must be application/json (UTF-8), not " + (contentType == null ? "untyped" : contentType);
    }

    private static Set<String> queryNames(Method method) {
        return Arrays.stream(method.getParameters()).map(p -> p.getAnnotation(QueryParam.class))
                .filter(Objects::nonNull).map(QueryParam::value)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
