package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Racing identical requests with small, parallel coalesced statements. */
@QuarkusTest
@TestProfile(SmallBatchesRaceTest.Small.class)
class SmallBatchesRaceTest {

    public static class Small implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ledger.batch.max-size", "3", "ledger.batch.max-in-flight", "4",
                    "ledger.batch.parallel-min-size", "1");
        }
    }

    static {
        Api.logFailures();
    }

    @Inject
    Pool pool;

    @SuppressWarnings("unchecked")
    private static String answer(Response r, int position) {
        Map<String, Object> result;
        if (position < 0) {
            result = new TreeMap<>(r.jsonPath().getMap(""));
            result.put("status", r.statusCode());
        } else {
            Map<String, Object> item = r.jsonPath().getMap("results[" + position + "]");
            result = new TreeMap<>((Map<String, Object>) (item.get("problem") != null ? item.get("problem") : item.get("transfer")));
            result.put("status", item.get("status"));
        }
        result.remove("instance");
        result.remove("request_id");
        return result.toString();
    }

    @Test
    void raceOfOneIdAgainstItsFundingAnswersEveryoneAlike() throws Exception {
        for (int round = 0; round < 10; round++) {
            String currency = Api.freshCurrency();
            UUID alice = Api.openAccount(currency, 50);
            UUID bob = Api.openAccount(currency, 0);
            UUID funder = Api.openAccount(currency, 1000);
            UUID id = UUID.randomUUID();
            List<Response> answers = Api.race(30, i -> {
                if (i == 0) {
                    return Api.postTransfer(Api.item(UUID.randomUUID(), funder, alice, 100));
                }
                if (i % 3 == 0) {
                    List<Map<String, Object>> items = new ArrayList<>();
                    for (int k = 0; k < 4; k++) {
                        items.add(Api.item(UUID.randomUUID(), funder, bob, 1));
                    }
                    items.add(2, Api.item(id, alice, bob, 120));
                    return given().contentType(ContentType.JSON).body(Map.of("transfers", items)).post("/transfers/batch");
                }
                return Api.postTransfer(Api.item(id, alice, bob, 120));
            });
            Set<String> statuses = new TreeSet<>();
            Set<String> bodies = new TreeSet<>();
            int created = 0;
            for (int i = 1; i < answers.size(); i++) {
                String a = answer(answers.get(i), i % 3 == 0 ? 2 : -1);
                if (a.contains("status=201")) {
                    created++;
                }
                statuses.add(a.replaceAll(".*status=(\\d+).*", "$1"));
                bodies.add(a.replace("status=201", "status=2xx").replace("status=200", "status=2xx"));
            }
            long rows = Db.number(pool, "SELECT count(*) FROM transfer WHERE id = $1", id);
            assertEquals(1, bodies.size(), "every answer alike: " + bodies);
            assertEquals(rows, created, "one 201 per row");
        }
    }
}
