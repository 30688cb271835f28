package dev.ledger.rest;

import dev.ledger.problem.LedgerException;
import dev.ledger.problem.ProblemType;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
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
 * strips matrix parameters, accepts a body without a Content-Type, in any charset, or
 * compressed, reading it as plain UTF-8 JSON all the same, and answers an Accept that weighs the
 * answer's type 0.
 */
public class StrictRequests {

    /** RFC 8259: JSON is UTF-8 and application/json defines no parameter; charset=utf-8 is tolerated. */
    private static final Pattern JSON_CONTENT_TYPE =
            Pattern.compile("(?i)application/json(\\s*;\\s*charset\\s*=\\s*(utf-8|\"utf-8\"))?\\s*");

    /** Headers the API reads, each of which has one meaning only once. */
    private static final List<String> SINGLE_HEADERS = List.of("Idempotency-Key");

    private final Map<Method, Set<String>> queryNames = new ConcurrentHashMap<>();

    private final Map<Method, List<MediaType>> producedTypes = new ConcurrentHashMap<>();

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
        if (request.getHeaderString(HttpHeaders.ACCEPT) != null) {
            requireAcceptable(request.getAcceptableMediaTypes(),
                    producedTypes.computeIfAbsent(resource.getResourceMethod(), StrictRequests::produced));
        }
    }

    /**
     * JAX-RS picks an answer's type by the ranges of Accept, but not by their weights: q=0, "not
     * acceptable" (RFC 9110, 12.4.2), was answered all the same. The most specific range that
     * matches a type gives its weight; a type of weight 0 is not acceptable.
     */
    private static void requireAcceptable(List<MediaType> accepted, List<MediaType> produced) {
        if (produced.stream().noneMatch(type -> weight(accepted, type) > 0)) {
            throw new NotAcceptableException();
        }
    }

    /** What a resource method answers with: its @Produces, its class's, or JSON. */
    private static List<MediaType> produced(Method method) {
        Produces produces = method.isAnnotationPresent(Produces.class) ? method.getAnnotation(Produces.class)
                : method.getDeclaringClass().getAnnotation(Produces.class);
        return produces == null ? List.of(MediaType.APPLICATION_JSON_TYPE)
                : Arrays.stream(produces.value()).map(MediaType::valueOf).toList();
    }

    private static double weight(List<MediaType> accepted, MediaType type) {
        int bestSpecificity = -1;
        double weight = 0;
        for (MediaType range : accepted) {
            if (!range.isCompatible(type)) {
                continue;
            }
            int specificity = range.isWildcardType() ? 0 : range.isWildcardSubtype() ? 1 : 2;
            double q = quality(range);
            if (specificity > bestSpecificity || specificity == bestSpecificity && q > weight) {
                bestSpecificity = specificity;
                weight = q;
            }
        }
        return weight;
    }

    private static double quality(MediaType range) {
        try {
            return Double.parseDouble(range.getParameters().getOrDefault("q", "1"));
        } catch (NumberFormatException e) {
            return 1;
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
