package dev.ledger.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The public reference workload: a closed population of account holders.
 *
 * <p>Each virtual user opens its own funded account, then until the end of the steady phase repeats:
 * three balance reads, each followed by 1–3 s of think time, then one transfer of 1..100 to another
 * user's account, followed by 1–3 s of think time. Users arrive linearly over {@code ramp} seconds;
 * all of them stop at the same deadline, {@code ramp + duration} seconds after the start, so
 * {@code duration} is the time during which every user is active.
 *
 * <p>System properties (forwarded from the Maven command line, see README.md): {@code baseUrl}
 * (http://localhost:8080), {@code users} (1024), {@code ramp} (30), {@code duration} (120),
 * {@code currency} (LOAD), {@code assertLatency} (false), {@code apiKey} (none: see {@link ApiKey}).
 */
public class SeedWorkload extends Simulation {

    private final String baseUrl = System.getProperty("baseUrl", "http://localhost:8080");
    private final int users = Integer.getInteger("users", 1024);
    private final int ramp = Integer.getInteger("ramp", 30);
    private final int duration = Integer.getInteger("duration", 120);
    private final String currency = System.getProperty("currency", "LOAD");
    private final boolean assertLatency = Boolean.getBoolean("assertLatency");

    /** The accounts opened so far by all virtual users: the pool of transfer destinations. */
    private final List<String> registry = new CopyOnWriteArrayList<>();

    /** System.nanoTime() at which every user leaves its loop; set in before(). */
    private volatile long deadlineNanos;

    private final HttpProtocolBuilder protocol = ApiKey.authorize(http
            .baseUrl(baseUrl)
            // Gatling's default warm-up request goes to an outside site: warm up on the service instead.
            .warmUp(baseUrl + "/q/health/ready")
            .acceptHeader("application/json, application/problem+json")
            .userAgentHeader("ledger-load-tests/SeedWorkload"));

    private final ChainBuilder openAccount = exec(
            http("open account")
                    .post("/accounts")
                    .asJson()
                    .body(StringBody("{\"currency\": \"" + currency + "\", \"initial_balance\": 1000000}"))
                    .check(status().is(201))
                    .check(jsonPath("$.id").saveAs("accountId")))
            .exitHereIfFailed()
            .exec(session -> {
                registry.add(session.getString("accountId"));
                return session;
            });

    private final ChainBuilder balance = exec(
            http("balance")
                    .get("/accounts/#{accountId}/balance")
                    .check(status().is(200)))
            .pause(Duration.ofSeconds(1), Duration.ofSeconds(3));

    private final ChainBuilder transfer = exec(this::pickDestination)
            // Only skipped while this user is the only one registered (users=1, or a very slow ramp).
            .doIf(session -> session.contains("destination")).then(exec(
                    http("transfer")
                            .post("/transfers")
                            .asJson()
                            .header("Idempotency-Key", session -> UUID.randomUUID().toString())
                            .body(StringBody(session -> "{\"source\": \"" + session.getString("accountId")
                                    + "\", \"destination\": \"" + session.getString("destination")
                                    + "\", \"amount\": " + ThreadLocalRandom.current().nextInt(1, 101) + "}"))
                            .check(status().is(201))))
            .pause(Duration.ofSeconds(1), Duration.ofSeconds(3));

    private final ScenarioBuilder holders = scenario("account holders")
            .exec(openAccount)
            // exitASAP: the deadline is checked after every step, so no user overstays by a whole round.
            .exec(asLongAs(session -> System.nanoTime() < deadlineNanos, true).on(
                    repeat(3).on(balance),
                    transfer));

    {
        List<Assertion> assertions = new ArrayList<>();
        assertions.add(global().failedRequests().count().is(0L));
        if (assertLatency) {
            // The project's targets; CI never passes -DassertLatency=true.
            assertions.add(global().responseTime().percentile(50).lte(5));
            assertions.add(global().responseTime().percentile(99).lte(20));
        }
        setUp(holders.injectOpen(rampUsers(users).during(Duration.ofSeconds(ramp))))
                .protocols(protocol)
                .assertions(assertions)
                // A hard stop well after the deadline, in case the service stops answering.
                .maxDuration(Duration.ofSeconds(ramp + duration + 120L));
    }

    @Override
    public void before() {
        deadlineNanos = System.nanoTime() + Duration.ofSeconds(ramp + (long) duration).toNanos();
    }

    /** Sets "destination" to a uniformly random registered account other than the user's own. */
    private Session pickDestination(Session session) {
        String own = session.getString("accountId");
        Object[] snapshot = registry.toArray(); // copy-on-write: a consistent snapshot
        int n = snapshot.length;
        if (n < 2) {
            return session.remove("destination");
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = random.nextInt(n);
        if (own.equals(snapshot[i])) {
            i = (i + 1 + random.nextInt(n - 1)) % n;
        }
        return session.set("destination", snapshot[i]);
    }
}
