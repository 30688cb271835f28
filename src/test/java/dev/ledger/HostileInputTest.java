package dev.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.HostileCases.Case;
import dev.ledger.HostileCases.Fixture;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Sends every case of {@link HostileCases} and checks its exact status and problem body, then,
 * after each group, that the account, transfer and API key tables are exactly as before. The valid
 * templates the cases vary are sent last, so a case cannot pass only because its base was broken.
 */
@QuarkusTest
class HostileInputTest {

    private static final Logger LOG = Logger.getLogger(HostileInputTest.class);
    private static final int MINIMUM_CASES = 1_000;

    static {
        Api.logFailures();
    }

    @Inject
    Pool pool;

    @TestHTTPResource("/")
    URL root;

    @TestFactory
    Stream<DynamicNode> hostileRequestsAreRefusedWithProblemsAndWriteNothing() {
        HostileCases table = HostileCases.of(fixture());
        List<Case> cases = table.cases();
        LOG.infof("hostile input: %d cases (%s)", cases.size(), cases.stream().collect(
                Collectors.groupingBy(Case::group, LinkedHashMap::new, Collectors.counting())));
        assertTrue(cases.size() >= MINIMUM_CASES, "at least " + MINIMUM_CASES + " cases, got " + cases.size());
        Set<String> names = new HashSet<>();
        cases.forEach(c -> assertTrue(names.add(c.name()), "case names are unique: " + c.name()));

        String before = HostileChecks.snapshot(pool);
        Map<String, List<DynamicNode>> groups = new LinkedHashMap<>();
        for (Case c : cases) {
            groups.computeIfAbsent(c.group(), g -> new ArrayList<>())
                    .add(DynamicTest.dynamicTest(c.name(), () -> HostileChecks.check(root.getPort(), c)));
        }
        groups.forEach((group, tests) -> tests.add(DynamicTest.dynamicTest("the database is unchanged after " + group,
                () -> assertEquals(before, HostileChecks.snapshot(pool), "rows of every table after " + group))));
        Stream<DynamicNode> tables = groups.entrySet().stream()
                .map(group -> DynamicContainer.dynamicContainer(group.getKey() + " (" + (group.getValue().size() - 1)
                        + " cases)", group.getValue()));
        DynamicNode templates = DynamicContainer.dynamicContainer("the templates all cases vary are valid",
                table.templates().stream().map(template -> DynamicTest.dynamicTest(
                        template.request().method() + " " + template.request().target(),
                        () -> assertEquals(template.status(), RawHttp.exchange(root.getPort(), template.request()).status(),
                                template::toString))));
        return Stream.concat(tables, Stream.of(templates));
    }

    private Fixture fixture() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 100);
        UUID bob = Api.openAccount(currency, 0);
        UUID issuer = UUID.fromString(RestAssured.get("/transfers/{id}", alice).path("source"));
        UUID foreign = Api.openAccount(Api.freshCurrency(), 0);
        String takenKeyName = "hostile-taken-" + UUID.randomUUID().toString().substring(0, 8);
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("name", takenKeyName, "scope", "read"))
                .post("/api-keys").then().statusCode(201);
        return new Fixture(currency, alice, bob, issuer, foreign, takenKeyName);
    }
}
