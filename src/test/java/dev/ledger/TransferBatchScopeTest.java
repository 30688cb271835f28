package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** POST /transfers/batch needs the write scope, as POST /transfers does. */
@QuarkusTest
@TestProfile(AuthOn.class)
class TransferBatchScopeTest {

    static {
        Api.logFailures();
    }

    @Test
    void aBatchNeedsAWriteKey() {
        String currency = Api.freshCurrency();
        UUID alice = openAccount(currency, 10);
        UUID bob = openAccount(currency, 0);
        String body = TransferBatchTest.body(TransferBatchTest.valid(alice, bob, 1));
        given().contentType(ContentType.JSON).body(body).post("/transfers/batch").then().statusCode(401)
                .body("type", equalTo("urn:ledger:problem:unauthorized"));
        as(key("read")).contentType(ContentType.JSON).body(body).post("/transfers/batch").then().statusCode(403)
                .body("type", equalTo("urn:ledger:problem:forbidden")).body("detail", containsString("needs write"));
        as(key("write")).contentType(ContentType.JSON).body(body).post("/transfers/batch").then().statusCode(200)
                .body("results[0].status", equalTo(201));
    }

    private static UUID openAccount(String currency, long balance) {
        return UUID.fromString(as(AuthOn.BOOTSTRAP_KEY).contentType(ContentType.JSON)
                .body(Map.of("currency", currency, "initial_balance", balance)).post("/accounts")
                .then().statusCode(201).extract().path("id"));
    }

    private static String key(String scope) {
        return as(AuthOn.BOOTSTRAP_KEY).contentType(ContentType.JSON)
                .body(Map.of("name", "batch-" + scope + "-" + UUID.randomUUID().toString().substring(0, 8), "scope", scope))
                .post("/api-keys").then().statusCode(201).extract().path("key");
    }

    private static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key);
    }
}
