package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** X-Request-ID: kept when safe, generated otherwise, echoed, and named in every problem. */
@QuarkusTest
class RequestIdTest {

    static {
        Api.logFailures();
    }

    @Test
    void aSafeIncomingIdIsKeptAndEchoedInTheProblem() {
        String id = "client-" + UUID.randomUUID() + ":1.2_3";
        given().header("X-Request-ID", id).get("/accounts/{id}", UUID.randomUUID())
                .then().statusCode(404).header("X-Request-ID", id)
                .contentType("application/problem+json")
                .body("request_id", equalTo(id));
    }

    @Test
    void anAbsentIdIsGenerated() {
        Response first = given().get("/q/health/live");
        first.then().statusCode(200);
        String generated = first.header("X-Request-ID");
        assertEquals(generated, UUID.fromString(generated).toString());
        assertNotEquals(generated, given().get("/q/health/live").header("X-Request-ID"));
    }

    @Test
    void anUnsafeOrOverlongIdIsReplaced() {
        for (String unsafe : new String[] {"a b", "x\u0007y", "<script>", "a".repeat(129), "\"quoted\""}) {
            Response response = given().header("X-Request-ID", unsafe).get("/accounts/not-a-uuid");
            response.then().statusCode(400);
            String id = response.header("X-Request-ID");
            assertNotEquals(unsafe, id);
            assertEquals(id, UUID.fromString(id).toString());
            response.then().body("request_id", equalTo(id));
        }
        String longest = "a".repeat(128);
        given().header("X-Request-ID", longest).get("/q/health/live").then().header("X-Request-ID", longest);
    }

    @Test
    void frameworkErrorsCarryTheIdToo() {
        given().header("X-Request-ID", "r-405").delete("/transfers").then().statusCode(405)
                .body("request_id", equalTo("r-405"));
        given().header("X-Request-ID", "r-415").contentType("text/plain").body("x").post("/transfers")
                .then().statusCode(415).body("request_id", equalTo("r-415"));
    }
}
