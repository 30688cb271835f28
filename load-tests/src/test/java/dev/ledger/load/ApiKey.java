package dev.ledger.load;

import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.net.http.HttpRequest;

/**
 * The service's API key, from {@code -DapiKey=} (a write key, or the bootstrap admin key), sent
 * as {@code Authorization: Bearer <key>} by every request of a simulation. Without it requests
 * go unauthenticated, for a service run with ledger.auth.enabled=false.
 */
final class ApiKey {

    private static final String KEY = System.getProperty("apiKey", "");

    private ApiKey() {
    }

    static HttpProtocolBuilder authorize(HttpProtocolBuilder protocol) {
        return KEY.isEmpty() ? protocol : protocol.authorizationHeader("Bearer " + KEY);
    }

    static HttpRequest.Builder authorize(HttpRequest.Builder request) {
        return KEY.isEmpty() ? request : request.header("Authorization", "Bearer " + KEY);
    }
}
