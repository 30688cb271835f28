package dev.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.HostileCases.Case;
import dev.ledger.problem.Problem;
import dev.ledger.problem.ProblemType;
import io.vertx.mutiny.sqlclient.Pool;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** What every hostile case must get, whichever profile the service runs in. */
final class HostileChecks {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a problem's words would hold if they named the service's classes rather than the JSON sent. */
    /** Java's names for things, and Jackson's backticks around them ("enable `JsonReadFeature…` to allow"). */
    private static final List<String> INTERNAL_NAMES = List.of("com.fasterxml", "java.", "dev.ledger", "StreamReadConstraints",
            "`", "Feature", "of long", "of int", "Java");

    /** Row counts and an md5 over every row, in key order, of each table a request may write. */
    private static final String SNAPSHOT = """
            SELECT (SELECT count(*) FROM account) || ' accounts, md5 '
                   || (SELECT md5(coalesce(string_agg(a::text, ',' ORDER BY a.id), '')) FROM account a)
                   || '; ' || (SELECT count(*) FROM transfer) || ' transfers, md5 '
                   || (SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t.source, t.index), '')) FROM transfer t)
                   || '; ' || (SELECT count(*) FROM api_key) || ' API keys, md5 '
                   || (SELECT md5(coalesce(string_agg(k::text, ',' ORDER BY k.id), '')) FROM api_key k)
                   || '; ' || (SELECT count(*) FROM api_key_revocation) || ' revocations, md5 '
                   || (SELECT md5(coalesce(string_agg(r::text, ',' ORDER BY r.api_key_id), ''))
                       FROM api_key_revocation r)""";

    private HostileChecks() {
    }

    static String snapshot(Pool pool) {
        return Db.query(pool, SNAPSHOT).iterator().next().getString(0);
    }

    /** Sends the case and checks its exact status and problem body; never a server error. */
    static void check(int port, Case c) throws IOException {
        RawHttp.Response response = RawHttp.exchange(port, c.request());
        String exchange = "\n--- case ---\n" + c.name() + "\n--- request ---\n" + c.request()
                + "\n--- response ---\n" + response;
        assertTrue(response.status() < 500, "never a server error" + exchange);
        assertEquals(c.expect().status(), response.status(), "status" + exchange);
        if (c.expect().type() == null) {
            return;
        }
        String contentType = String.valueOf(response.header("Content-Type"));
        assertTrue(contentType.startsWith(Problem.MEDIA_TYPE), "problem+json, got " + contentType + exchange);
        if (c.expect().type() == ProblemType.UNAUTHORIZED) {
            assertEquals("Bearer", response.header("WWW-Authenticate"), "the challenge (RFC 6750)" + exchange);
        }
        if (c.expect().allow() != null) {
            String allow = response.header("Allow");
            assertNotNull(allow, "a 405 says which methods the path takes (RFC 9110)" + exchange);
            assertEquals(c.expect().allow(), Set.of(allow.split(",\\s*")), "Allow" + exchange);
        }
        if (!c.expect().body()) {
            assertEquals("", response.body(), "no body" + exchange);
            return;
        }
        JsonNode problem = JSON.readTree(response.body());
        assertEquals(c.expect().type().type().toString(), problem.path("type").asText(), "type" + exchange);
        assertEquals(c.expect().type().title(), problem.path("title").asText(), "title" + exchange);
        assertEquals(c.expect().status(), problem.path("status").asInt(), "status member" + exchange);
        assertFalse(problem.path("detail").asText().isBlank(), "a detail saying why" + exchange);
        List<String> texts = new ArrayList<>(List.of(problem.path("detail").asText()));
        problem.path("errors").forEach(error -> texts.add(error.path("message").asText()));
        for (String text : texts) {
            for (String internal : INTERNAL_NAMES) {
                assertFalse(text.contains(internal), "speaks JSON, not the service's Java types" + exchange);
            }
        }
    }
}
