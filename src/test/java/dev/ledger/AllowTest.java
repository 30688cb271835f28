package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.ledger.rest.AllowedMethods;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.ws.rs.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * OPTIONS and every 405 name the methods of the path asked, not of its resource class: a method
 * Allow names is served, any other is answered 405 with that same Allow (RFC 9110, 15.5.6).
 */
@QuarkusTest
class AllowTest {

    static {
        Api.logFailures();
    }

    @Inject
    BeanManager beans;

    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE");

    @Test
    void optionsAndEvery405NameTheMethodsOfThePath() {
        String id = UUID.randomUUID().toString();
        Map<String, Set<String>> paths = Map.of(
                "/accounts", Set.of("POST", "OPTIONS"),
                "/accounts/" + id, Set.of("GET", "HEAD", "OPTIONS"),
                "/accounts/" + id + "/", Set.of("GET", "HEAD", "OPTIONS"),
                "/accounts/" + id + "/balance", Set.of("GET", "HEAD", "OPTIONS"),
                "/accounts/" + id + "/transfers/1", Set.of("GET", "HEAD", "OPTIONS"),
                "/transfers", Set.of("POST", "OPTIONS"),
                // GET /transfers/{id} takes "batch" too, and answers 400: it is not a UUID.
                "/transfers/batch", Set.of("GET", "HEAD", "POST", "OPTIONS"),
                "/api-keys", Set.of("GET", "HEAD", "POST", "OPTIONS"),
                "/balances", Set.of("GET", "HEAD", "OPTIONS"),
                "/api-keys/" + id, Set.of("DELETE", "OPTIONS"));
        paths.forEach((path, allowed) -> {
            Response options = given().options(path);
            assertEquals(200, options.statusCode(), "OPTIONS " + path);
            assertEquals(allowed, allow(options), "OPTIONS " + path);
            for (String method : METHODS) {
                Response response = given().request(method, path);
                if (allowed.contains(method)) {
                    assertNotEquals(405, response.statusCode(), method + " " + path);
                } else {
                    assertEquals(405, response.statusCode(), method + " " + path);
                    assertEquals(allowed, allow(response), method + " " + path);
                }
            }
        });
    }

    @Test
    void everyResourceIsKeptForReflectionInANativeExecutable() {
        Set<Class<?>> resources = beans.getBeans(Object.class, Any.Literal.INSTANCE).stream().map(Bean::getBeanClass)
                .filter(type -> type.isAnnotationPresent(Path.class)).collect(Collectors.toSet());
        assertFalse(resources.isEmpty());
        assertEquals(resources, Set.of(AllowedMethods.class.getAnnotation(RegisterForReflection.class).targets()),
                "AllowedMethods reads these classes' annotations: each must be registered for reflection");
    }

    @Test
    void optionsOfAPathNoOperationTakesIsNotFound() {
        for (String path : List.of("/accounts/" + UUID.randomUUID() + "/nope", "/transfers/batch/1", "/nowhere")) {
            given().options(path).then().statusCode(404).contentType("application/problem+json");
        }
    }

    private static Set<String> allow(Response response) {
        String allow = response.header("Allow");
        return allow == null ? Set.of() : Set.of(allow.split(",\\s*"));
    }
}
