package dev.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.HostileCases.Case;
import dev.ledger.HostileCases.Fixture;
import dev.ledger.problem.Problem;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
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
 * after each group, that the account and transfer tables are exactly as before. The valid
 * templates the cases vary are sent last, so a case cannot pass only because its base was broken.
 */
@QuarkusTest
class HostileInputTest {

    private static final Logger LOG = Logger.getLogger(HostileInputTest.class);
    private static final int MINIMUM_CASES = 1_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Row counts and an md5 over every row, in key order, of both tables. */
    private static final String SNAPSHOT = """
            SELECT (SELECT count(*) FROM account) || ' accounts, md5 '
                   || (SELECT md5(coalesce(string_agg(a::text, ',' ORDER BY a.id), '')) FROM account a)
                   || '; ' || (SELECT count(*) FROM transfer) || ' transfers, md5 '
                   || (SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t.source, t.index), '')) FROM transfer t)""";

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

        String before = snapshot();
        Map<String, List<DynamicNode>> groups = new LinkedHashMap<>();
        for (Case c : cases) {
            groups.computeIfAbsent(c.group(), g -> new ArrayList<>()).add(DynamicTest.dynamicTest(c.name(), () -> check(c)));
        }
        groups.forEach((group, tests) -> tests.add(DynamicTest.dynamicTest("the database is unchanged after " + group,
                () -> assertEquals(before, snapshot(), "rows of account and transfer after " + group))));
        Stream<DynamicNode> tables = groups.entrySet().stream()
                .map(group -> DynamicContainer.dynamicContainer(group.getKey() + " (" + (group.getValue().size() - 1)
                        + " cases)", group.getValue()));
        DynamicNode templates = DynamicContainer.dynamicContainer("the templates all cases vary are valid",
                table.templates().stream().map(request -> DynamicTest.dynamicTest(
                        request.method() + " " + request.target(),
                        () -> assertEquals(201, RawHttp.exchange(root.getPort(), request).status(), request::toString))));
        return Stream.concat(tables, Stream.of(templates));
    }

    private void check(Case c) throws Exception {
        RawHttp.Response response = RawHttp.exchange(root.getPort(), c.request());
        String exchange = "\n--- case ---\n" + c.name() + "\n--- request ---\n" + c.request()
                + "\n--- response ---\n" + response;
        assertTrue(response.status() < 500, "never a server error" + exchange);
        assertEquals(c.expect().status(), response.status(), "status" + exchange);
        if (c.expect().type() == null) {
            return;
        }
        String contentType = String.valueOf(response.header("Content-Type"));
        assertTrue(contentType.startsWith(Problem.MEDIA_TYPE), "problem+json, got " + contentType + exchange);
        if (!c.expect().body()) {
            assertEquals("", response.body(), "no body" + exchange);
            return;
        }
        JsonNode problem = JSON.readTree(response.body());
        assertEquals(c.expect().type().type().toString(), problem.path("type").asText(), "type" + exchange);
        assertEquals(c.expect().type().title(), problem.path("title").asText(), "title" + exchange);
        assertEquals(c.expect().status(), problem.path("status").asInt(), "status member" + exchange);
        assertFalse(problem.path("detail").asText().isBlank(), "a detail saying why" + exchange);
    }

    private Fixture fixture() {
        String currency = Api.freshCurrency();
        UUID alice = Api.openAccount(currency, 100);
        UUID bob = Api.openAccount(currency, 0);
        UUID issuer = UUID.fromString(RestAssured.get("/transfers/{id}", alice).path("source"));
        UUID foreign = Api.openAccount(Api.freshCurrency(), 0);
        return new Fixture(currency, alice, bob, issuer, foreign);
    }

    private String snapshot() {
        Row row = Db.query(pool, SNAPSHOT).iterator().next();
        return row.getString(0);
    }
}
