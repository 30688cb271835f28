package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ApiDocsTest {

    private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");

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
                org.hamcrest.Matchers.containsInAnyOrder("200", "201", "400", "401", "403", "404", "409", "413", "415", "422", "503"));
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

    /**
     * The service reads and writes snake_case and refuses unknown members, so a client generated
     * from a camelCase schema has every request with a two-word member refused.
     */
    @Test
    void schemasNameTheMembersTheServiceReadsAndWrites() {
        JsonPath doc = openApi();
        Map<String, Object> schemas = doc.getMap("components.schemas");
        List<String> notSnakeCase = new ArrayList<>();
        schemas.forEach((name, schema) -> collectNotSnakeCase(name, schema, notSnakeCase));
        assertEquals(List.of(), notSnakeCase, "schema properties that are not snake_case");
        assertTrue(doc.getMap("components.schemas.NewAccount.properties").containsKey("initial_balance"));
        assertTrue(doc.getMap("components.schemas.NewTransfer.properties").containsKey("expected_index"));

        UUID id = Api.openAccount(Api.freshCurrency(), 5);
        Map<String, Object> account = given().get("/accounts/{id}", id).then().statusCode(200).extract().path("");
        assertEquals(account.keySet(), doc.getMap("components.schemas.Account.properties").keySet());

        Map<String, Object> problem = given().contentType(ContentType.JSON).body(Map.of("currency", "eur"))
                .post("/accounts").then().statusCode(400).extract().path("");
        assertTrue(doc.getMap("components.schemas.Problem.properties").keySet().containsAll(problem.keySet()),
                "Problem documents every member of " + problem);
        assertEquals("array", doc.getString("components.schemas.Problem.properties.errors.type"));
    }

    @Test
    void unsupportedMediaTypeExampleIsTheServicesAnswer() {
        Map<String, Object> example = new HashMap<>(openApi().getMap("paths.'/transfers'.post.responses.'415'"
                + ".content.'application/problem+json'.examples.'unsupported-media-type'.value"));
        Map<String, Object> answer = new HashMap<>(given()
                .config(RestAssured.config().encoderConfig(
                        EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false)))
                .contentType("text/plain").body("x").post("/transfers")
                .then().statusCode(415).extract().<Map<String, Object>>path(""));
        example.remove("request_id");
        answer.remove("request_id");
        assertEquals(answer, example);
    }

    private static JsonPath openApi() {
        return given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().jsonPath();
    }

    /** Walks nested schemas too (allOf, items, inline objects), whose members are on the wire as well. */
    private static void collectNotSnakeCase(String path, Object node, List<String> found) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                if ("properties".equals(key) && value instanceof Map<?, ?> properties) {
                    properties.forEach((name, schema) -> {
                        if (!SNAKE_CASE.matcher(name.toString()).matches()) {
                            found.add(path + "." + name);
                        }
                        collectNotSnakeCase(path + "." + name, schema, found);
                    });
                } else if (!"example".equals(key) && !"examples".equals(key)) {
                    collectNotSnakeCase(path, value, found);
                }
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collectNotSnakeCase(path, item, found));
        }
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
