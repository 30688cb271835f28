package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ApiDocsTest {

    static {
        Api.logFailures();
    }

    @Test
    void openApiDocumentsEverySchemaAndErrorResponse() {
        var doc = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200);
        for (String schema : new String[] {"Account", "NewAccount", "Balance", "Transfer", "NewTransfer",
                "TransferPage", "TransferItem", "Problem"}) {
            doc.body("components.schemas." + schema, notNullValue());
        }
        doc.body("paths.'/transfers'.post.responses.keySet()",
                org.hamcrest.Matchers.containsInAnyOrder("200", "201", "400", "401", "403", "404", "409", "415", "422", "503"));
        doc.body("paths.'/transfers'.post.responses.'422'.content.'application/problem+json'.examples.keySet()",
                org.hamcrest.Matchers.containsInAnyOrder("insufficient-funds", "currency-mismatch"));
        doc.body("paths.'/accounts'.post.responses.keySet()", hasItem("201"));
        doc.body("paths.'/accounts/{id}/balance'.get.responses.keySet()", hasItem("404"));
        doc.body("paths.'/accounts/{id}/transfers'.get.responses.keySet()", hasItem("400"));
        doc.body("paths.'/accounts/{source}/transfers/{index}'.get.responses.keySet()", hasItem("404"));
        doc.body("components.schemas.NewTransfer.properties.amount.minimum", equalTo(1));
        doc.body("components.securitySchemes.'api-key'.scheme", equalTo("bearer"));
        doc.body("security.'api-key'", hasItem(org.hamcrest.Matchers.empty()));
        for (String path : new String[] {"/accounts", "/transfers", "/api-keys"}) {
            doc.body("paths.'" + path + "'.post.responses.keySet()", org.hamcrest.Matchers.hasItems("401", "403"));
        }
        doc.body("paths.'/api-keys/{id}'.delete.responses.keySet()", org.hamcrest.Matchers.hasItems("204", "401", "403"));
        doc.body("components.responses.Unauthorized.content.'application/problem+json'.examples.unauthorized.value.status",
                equalTo(401));
    }

    @Test
    void swaggerUiAndRedocAreServedWithoutACdn() {
        given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
        String page = given().get("/redoc").then().statusCode(200).contentType("text/html")
                .body(containsString("/q/openapi")).extract().asString();
        String script = page.replaceAll("(?s).*<script src=\"([^\"]+)\".*", "$1");
        org.junit.jupiter.api.Assertions.assertTrue(script.startsWith("/"), "script served by this app: " + script);
        given().get(script).then().statusCode(200).body(containsString("Redoc"));
    }

    @Test
    void readinessChecksPostgres() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("PostgreSQL")));
    }
}
