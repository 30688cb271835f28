package dev.ledger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Sequences of SQL by the service's role, found in review, that used to store what could not be
 * read back or to fail a whole batch for one item (V17): each test states the rule that now holds.
 */
@QuarkusTest
class DatabaseEdgeCasesTest {

    private static final String INSERT =
            "INSERT INTO transfer (source, index, destination, amount) VALUES ($1, $2, $3, $4)";

    /** A lane's share of the 64-bit range (V14). */
    private static final long S = Long.MAX_VALUE / 8;

    static {
        Api.logFailures();
    }

    @Inject
    Pool pool;

    /**
     * A credit past a lane's share bounds the destination's balance with the debits up to its own
     * instant. V14 also subtracted a debit that committed while the credit waited for the check
     * lock, stamped after the credit: the balance at the credit's instant then exceeded 2^63 - 1,
     * and every read of it (balance at T, the listing) failed with 22003.
     */
    @Test
    void everyPastBalanceStaysWithin64BitsWhenADebitCommitsWhileACreditWaits() throws Exception {
        String currency = Api.freshCurrency();
        UUID issuer = open(currency, "issuer", 0);
        UUID issuerX = open(currency, "issuer", 0);
        UUID issuerY = open(currency, "issuer", 0);
        UUID rich = open(currency, "regular", 0);
        UUID other = open(currency, "regular", 0);
        // Lanes 0..7 at a share each, then 7 more in lane 0: the balance is 2^63 - 1 exactly.
        Db.query(pool, INSERT, issuer, null, rich, S);
        for (int lane = 1; lane < 8; lane++) {
            try (Db.Held held = Db.holdLanes(pool, rich, lane)) {
                Db.query(pool, INSERT, issuer, null, rich, S);
            }
        }
        Db.query(pool, INSERT, issuer, null, rich, 7L);
        assertEquals(Long.MAX_VALUE, Db.number(pool, "SELECT balance_at($1, 'infinity')", rich));
        Db.query(pool, INSERT, rich, null, other, 10L);

        // X: a credit past lane 0's share, in a transaction still running (holds rich's check lock).
        SqlConnection x = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        CompletableFuture<?> y;
        try {
            Db.query(x, "BEGIN");
            Db.query(x, INSERT, issuerX, null, rich, 10L);
            // Y: a credit past lane 1's share; stamped now, then waits for the check lock X holds.
            y = pool.preparedQuery(INSERT).execute(Tuple.from(Arrays.asList(issuerY, null, rich, 5L)))
                    .subscribeAsCompletionStage();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (Db.number(pool, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    + " AND (classid::bigint << 32 | objid::bigint) = credit_lane_lock_key($1, 8)", rich) == 0) {
                assertTrue(System.nanoTime() < deadline, "Y waits for rich's check lock");
                Thread.sleep(20);
            }
            // B: a debit of rich, stamped after Y, committed before Y's check.
            Db.query(pool, INSERT, rich, null, other, 5L);
            Db.query(x, "COMMIT");
        } finally {
            Db.query(x, "ROLLBACK");
            x.close().await().indefinitely();
        }
        String yAnswer;
        try {
            y.get(30, TimeUnit.SECONDS);
            yAnswer = "Y accepted";
        } catch (java.util.concurrent.ExecutionException e) {
            yAnswer = "Y refused " + ((PgException) e.getCause()).getSqlState();
        }

        // Today's balance fits (2^63 - 1 with Y, 5 less without); is every past balance readable?
        assertEquals(yAnswer.equals("Y accepted") ? Long.MAX_VALUE : Long.MAX_VALUE - 5,
                Db.number(pool, "SELECT balance_at($1, 'infinity')", rich));
        StringBuilder outOfRange = new StringBuilder();
        for (Row row : Db.query(pool, "SELECT created_at, (SELECT sum(CASE WHEN u.destination = $1 THEN u.amount"
                + " ELSE -u.amount END) FROM transfer u WHERE (u.source = $1 OR u.destination = $1)"
                + " AND u.created_at <= t.created_at)::text AS recomputed"
                + " FROM transfer t WHERE t.source = $1 OR t.destination = $1 ORDER BY created_at", rich)) {
            try {
                Db.query(pool, "SELECT balance_at($1, $2)", rich, row.getOffsetDateTime("created_at"));
            } catch (PgException e) {
                outOfRange.append(row.getOffsetDateTime("created_at")).append(": recomputed ")
                        .append(row.getString("recomputed")).append(", balance_at ").append(e.getSqlState())
                        .append(' ').append(e.getErrorMessage()).append("; ");
            }
        }
        Response listing = given().get("/accounts/{id}/transfers", rich);
        String seen = yAnswer + "; " + outOfRange + "listing " + listing.statusCode();
        assertTrue(seen.equals("Y accepted; listing 200") || seen.equals("Y refused 22003; listing 200"),
                seen + "\n" + listing.asString());
    }

    /**
     * The service reads metadata back through a parser held to ledger.json.max-nesting-depth (32).
     * Deeper metadata stored by SQL made every read of its transfer or account, and every listing
     * holding the transfer, a 503 for ever; the database now holds every writer to that depth.
     */
    @Test
    void metadataDeeperThanTheServiceReadsIsRefusedForEveryWriter() {
        String currency = Api.freshCurrency();
        UUID alice = open(currency, "regular", 100);
        UUID bob = open(currency, "regular", 0);
        String objects = HostileCases.nested(33);
        String arrays = "{\"a\": " + "[".repeat(32) + "]".repeat(32) + "}";
        StringBuilder answers = new StringBuilder();
        for (String deep : new String[] {objects, arrays}) {
            UUID id = UUID.randomUUID();
            try {
                Db.query(pool, "INSERT INTO transfer (id, source, destination, amount, metadata)"
                        + " VALUES ($1, $2, $3, 1, $4::text::jsonb)", id, alice, bob, deep);
                answers.append("transfer ").append(given().get("/transfers/{id}", id).statusCode())
                        .append(", listing ").append(given().get("/accounts/{id}/transfers", bob).statusCode());
            } catch (PgException e) {
                answers.append("transfer refused ").append(e.getSqlState());
            }
            try {
                UUID account = Db.query(pool, "SELECT id FROM open_account(NULL, $1, 'regular', 0, $2::text::jsonb)",
                        currency, deep).iterator().next().getUUID("id");
                answers.append(", account ").append(given().get("/accounts/{id}", account).statusCode()).append("; ");
            } catch (PgException e) {
                answers.append(", account refused ").append(e.getSqlState()).append("; ");
            }
        }
        // Nested 32 deep, what the reader takes, stays storable and readable.
        UUID fits = UUID.randomUUID();
        Db.query(pool, "INSERT INTO transfer (id, source, destination, amount, metadata)"
                + " VALUES ($1, $2, $3, 1, $4::text::jsonb)", fits, alice, bob, HostileCases.nested(32));
        answers.append("32 deep: ").append(given().get("/transfers/{id}", fits).statusCode());
        String expected = "transfer refused 23514, account refused 23514; ".repeat(2) + "32 deep: 200";
        assertEquals(expected, answers.toString());
    }

    /**
     * An account's created_at is finite: 'infinity', which a writer could give, was answered as
     * +999999999-12-31T23:59:59.999999999-18:00, neither RFC 3339 nor UTC.
     */
    @Test
    void anAccountsCreationTimeIsFinite() {
        String currency = Api.freshCurrency();
        String answer;
        try {
            UUID infinite = Db.query(pool, "INSERT INTO account (currency, created_at) VALUES ($1, 'infinity')"
                    + " RETURNING id", currency).iterator().next().getUUID(0);
            answer = given().get("/accounts/{id}", infinite).path("created_at");
        } catch (PgException e) {
            answer = "refused " + e.getSqlState();
        }
        assertEquals("refused 23514", answer);
    }

    /**
     * post_transfers answers each item: an item without a destination is refused alone (LG001,
     * final). Its refusal record used to break transfer_refusal's NOT NULL, which failed the whole
     * call with 23502 and rolled back its valid neighbour.
     */
    @Test
    void aBatchItemWithoutADestinationIsRefusedAlone() {
        String currency = Api.freshCurrency();
        UUID alice = open(currency, "regular", 100);
        UUID bob = open(currency, "regular", 0);
        UUID valid = UUID.randomUUID();
        String outcome;
        try {
            var rows = Db.query(pool, "SELECT ordinal, outcome, error_state FROM post_transfers($1, $2, $3, $4,"
                    + " ARRAY[NULL, NULL]::bigint[], ARRAY[NULL, NULL]::text[], ARRAY[NULL, NULL]::text[]) ORDER BY ordinal",
                    new UUID[] {valid, UUID.randomUUID()}, new UUID[] {alice, alice}, new UUID[] {bob, null},
                    new Long[] {1L, 1L});
            StringBuilder answers = new StringBuilder();
            for (Row row : rows) {
                answers.append(row.getString("outcome")).append(' ').append(row.getString("error_state")).append("; ");
            }
            outcome = answers.toString();
        } catch (PgException e) {
            outcome = "whole call failed: " + e.getSqlState() + " " + e.getErrorMessage();
        }
        assertEquals("created null; failed LG001; ", outcome);
    }

    /**
     * post_transfers answers each item: metadata the service could not read back (V15's number
     * length, V17's depth) is refused for that item alone (V18). The CHECKs, which run after the
     * triggers, used to fail the whole call with 23514 and roll back its valid neighbours.
     */
    @Test
    void aBatchItemWithMetadataTheServiceCannotReadIsRefusedAlone() {
        String currency = Api.freshCurrency();
        UUID alice = open(currency, "regular", 100);
        UUID bob = open(currency, "regular", 0);
        String[] metadata = {null, HostileCases.nested(32), HostileCases.nested(33), "{\"n\": 1" + "0".repeat(1000) + "}"};
        int items = metadata.length;
        UUID[] ids = new UUID[items];
        UUID[] sources = new UUID[items];
        UUID[] destinations = new UUID[items];
        Long[] amounts = new Long[items];
        for (int i = 0; i < items; i++) {
            ids[i] = UUID.randomUUID();
            sources[i] = alice;
            destinations[i] = bob;
            amounts[i] = 1L;
        }
        String outcome;
        try {
            var rows = Db.query(pool, "SELECT ordinal, outcome, error_state, error_constraint FROM post_transfers($1, $2, $3, $4,"
                    + " $5::bigint[], $6::text[], $7::text[]) ORDER BY ordinal",
                    ids, sources, destinations, amounts, new Long[items], new String[items], metadata);
            StringBuilder answers = new StringBuilder();
            for (Row row : rows) {
                answers.append(row.getString("outcome")).append(' ').append(row.getString("error_state"))
                        .append(' ').append(row.getString("error_constraint")).append("; ");
            }
            outcome = answers.toString();
        } catch (PgException e) {
            outcome = "whole call failed: " + e.getSqlState() + " " + e.getErrorMessage();
        }
        assertEquals("created null null; created null null; failed 23514 transfer_metadata_depth; "
                + "failed 23514 transfer_metadata_numbers; ", outcome);
        long debits = Db.query(pool, "SELECT count(*) FROM transfer WHERE source = $1", alice)
                .iterator().next().getLong(0);
        assertEquals(2, debits, "the two valid items are in the log, the refused ones are not");
    }

    private UUID open(String currency, String kind, long initialBalance) {
        return Db.query(pool, "SELECT id FROM open_account(NULL, $1, $2, $3, NULL)", currency, kind, initialBalance)
                .iterator().next().getUUID("id");
    }
}
