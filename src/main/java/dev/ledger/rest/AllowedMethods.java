package dev.ledger.rest;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The methods each path takes, for the Allow header that RFC 9110 requires on a 405 and that
 * OPTIONS answers with. Quarkus REST sends its 405 without Allow, and answers OPTIONS with every
 * method of the resource class, whichever of the class's paths was asked (OPTIONS /accounts/{id}
 * named POST, which that path refuses). Read from the same JAX-RS annotations Quarkus REST routes
 * by; its resource classes are all CDI beans. Quarkus REST calls resource methods through
 * generated code, so a native executable keeps their annotations for reflection only for the
 * classes registered here (AllowTest checks that every resource is).
 */
@RegisterForReflection(targets = {AccountResource.class, ApiKeyResource.class, BalanceResource.class,
        RedocResource.class, TransferResource.class})
public class AllowedMethods {

    /** A path parameter; the API's templates give none a regular expression of its own. */
    private static final Pattern PARAMETER = Pattern.compile("\\{[^}]*}");

    private record Route(Pattern path, String method) {
    }

    private final List<Route> routes;

    AllowedMethods(BeanManager beans) {
        routes = beans.getBeans(Object.class, Any.Literal.INSTANCE).stream().map(Bean::getBeanClass)
                .filter(type -> type.isAnnotationPresent(Path.class)).distinct()
                .flatMap(AllowedMethods::routes).toList();
    }

    /**
     * The Allow header of the request's path, or null when no operation takes it. HEAD goes
     * wherever GET does, and OPTIONS everywhere.
     */
    String allow(RoutingContext request) {
        // As Quarkus REST routes it: dot segments resolved, "%2F" still encoded (one segment).
        String path = request.normalizedPath();
        Set<String> methods = new TreeSet<>();
        routes.stream().filter(route -> route.path().matcher(path).matches()).forEach(route -> methods.add(route.method()));
        if (methods.isEmpty()) {
            return null;
        }
        if (methods.contains(HttpMethod.GET)) {
            methods.add(HttpMethod.HEAD);
        }
        methods.add(HttpMethod.OPTIONS);
        return String.join(", ", methods);
    }

    /** Answers OPTIONS before Quarkus REST would, with the methods of the path rather than of its class. */
    @ServerRequestFilter(preMatching = true)
    public RestResponse<Void> options(ContainerRequestContext request, RoutingContext raw) {
        if (!HttpMethod.OPTIONS.equals(request.getMethod())) {
            return null;
        }
        String allow = allow(raw);
        if (allow == null) {
            throw new NotFoundException();
        }
        return RestResponse.ResponseBuilder.<Void>ok().header(HttpHeaders.ALLOW, allow).build();
    }

    private static Stream<Route> routes(Class<?> resource) {
        String root = resource.getAnnotation(Path.class).value();
        return Arrays.stream(resource.getMethods()).flatMap(method -> designators(method)
                .map(http -> new Route(pattern(root, method.getAnnotation(Path.class)), http)));
    }

    /** The method's @GET, @POST, …: the annotations JAX-RS marks with @HttpMethod. */
    private static Stream<String> designators(Method method) {
        return Arrays.stream(method.getAnnotations()).map(Annotation::annotationType)
                .map(type -> type.getAnnotation(HttpMethod.class)).filter(Objects::nonNull).map(HttpMethod::value);
    }

    /** The template's path, each parameter one segment; Quarkus REST also takes one trailing slash. */
    private static Pattern pattern(String root, Path sub) {
        String template = ("/" + root + "/" + (sub == null ? "" : sub.value())).replaceAll("/+", "/");
        StringBuilder regex = new StringBuilder();
        Matcher parameter = PARAMETER.matcher(template);
        int at = 0;
        while (parameter.find()) {
            regex.append(Pattern.quote(template.substring(at, parameter.start()))).append("[^/]+");
            at = parameter.end();
        }
        regex.append(Pattern.quote(template.substring(at).replaceFirst("/$", ""))).append("/?");
        return Pattern.compile(regex.toString());
    }
}
