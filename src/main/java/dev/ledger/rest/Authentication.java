package dev.ledger.rest;

import dev.ledger.config.LedgerConfig;
import dev.ledger.mapping.Scope;
import dev.ledger.problem.LedgerException;
import dev.ledger.problem.ProblemType;
import dev.ledger.service.ApiKeyService;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.List;
import java.util.Locale;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/**
 * Every API operation needs an API key of a sufficient scope: read for GET, write for other
 * methods, admin for /api-keys. Decided by the operation matched, so an operation added later is
 * protected without anyone remembering to. Health, metrics and the OpenAPI document and UIs are not
 * JAX-RS operations and never come here; ReDoc's page is the one operation left open.
 *
 * <p>Non-blocking: a key seen recently is checked in memory, otherwise with one indexed query
 * on the reactive pool. Failures leave through ProblemMappers as 401 or 403 problems.
 */
public class Authentication {

    static final String SCHEME = "Bearer";
    private static final String BEARER_PREFIX = SCHEME.toLowerCase(Locale.ROOT) + " ";

    /** The MDC key naming the caller's key in JSON logs; never the key itself. */
    private static final String MDC_API_KEY = "api_key";

    private final ApiKeyService keys;
    private final LedgerConfig config;

    Authentication(ApiKeyService keys, LedgerConfig config) {
        this.keys = keys;
        this.config = config;
    }

    /** Before any other request filter, so that a caller without a key learns nothing else first. */
    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Uni<Void> authenticate(ContainerRequestContext request, SimpleResourceInfo operation, HttpServerRequest raw) {
        if (!config.auth().enabled() || operation.getResourceClass() == RedocResource.class) {
            return Uni.createFrom().voidItem();
        }
        Scope required = required(request.getMethod(), operation.getResourceClass());
        // JAX-RS joins repeated headers and drops empty ones, so "Authorization:" followed by a
        // valid one would pass; which of several credentials counts is not for the service to guess.
        List<String> authorizations = raw.headers().getAll(HttpHeaders.AUTHORIZATION);
        if (authorizations.size() > 1) {
            return Uni.createFrom().failure(new LedgerException(ProblemType.UNAUTHORIZED,
                    "Send one Authorization header, not " + authorizations.size()));
        }
        String presented = authorizations.isEmpty() ? null : bearerToken(authorizations.get(0));
        if (presented == null) {
            return Uni.createFrom().failure(new LedgerException(ProblemType.UNAUTHORIZED,
                    "Send an API key as 'Authorization: Bearer <key>'"));
        }
        return keys.verify(presented).map(key -> {
            if (key == null) {
                throw new LedgerException(ProblemType.UNAUTHORIZED, "The API key is not valid or was revoked");
            }
            MDC.put(MDC_API_KEY, key.name());
            if (!key.scope().includes(required)) {
                throw new LedgerException(ProblemType.FORBIDDEN, "API key '" + key.name() + "' has scope "
                        + key.scope().sqlName() + "; this request needs " + required.sqlName());
            }
            return null;
        });
    }

    private static Scope required(String method, Class<?> resource) {
        if (resource == ApiKeyResource.class) {
            return Scope.ADMIN;
        }
        return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) ? Scope.READ : Scope.WRITE;
    }

    /** The token of "Bearer <token>" (scheme case-insensitive, RFC 7235), or null. */
    private static String bearerToken(String authorization) {
        if (authorization == null || authorization.length() <= BEARER_PREFIX.length()
                || !authorization.regionMatches(true, 0, BEARER_PREFIX, 0, BEARER_PREFIX.length())) {
            return null;
        }
        String token = authorization.substring(BEARER_PREFIX.length()).strip();
        return token.isEmpty() ? null : token;
    }
}
