package dev.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ledger.HostileCases.Case;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Hostile Authorization headers, with authentication on as in production: each one is a 401
 * problem with a Bearer challenge, and nothing is written, whatever the operation.
 */
@QuarkusTest
@TestProfile(AuthOn.class)
class HostileAuthorizationTest {

    @Inject
    Pool pool;

    @TestFactory
    Stream<DynamicTest> hostileAuthorizationIsRefusedAndWritesNothing() {
        List<Case> cases = HostileCases.authorization(AuthOn.BOOTSTRAP_KEY);
        String before = HostileChecks.snapshot(pool);
        return Stream.concat(
                cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> HostileChecks.check(RestAssured.port, c))),
                Stream.of(DynamicTest.dynamicTest("the database is unchanged",
                        () -> assertEquals(before, HostileChecks.snapshot(pool), "rows of every table a request may write"))));
    }
}
