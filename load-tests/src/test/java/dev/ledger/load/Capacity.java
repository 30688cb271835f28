package dev.ledger.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Open-model capacity probe: ONE constant arrival rate per run. A script calls it repeatedly with
 * rising rates and reads each report's js/stats.json.
 *
 * <p>{@link #before()} opens {@code accounts} accounts (1,000,000,000,000 minor units each, so
 * transfers never run dry) with a plain {@link HttpClient}. Then {@code rate} virtual users arrive
 * per second for {@code duration} seconds, each sending exactly one request:
 * <ul>
 *   <li>{@code transfers}: a transfer of 1 between two distinct random accounts of the set, with a
 *       fresh Idempotency-Key; 201 is a success;</li>
 *   <li>{@code balances}: a balance read of a random account; 200 is a success;</li>
 *   <li>{@code mix}: 3 balance reads for 1 transfer (chosen at random per user);</li>
 *   <li>{@code hot-source}: transfers of 1, all from the first account to random others (as when
 *       an issuer funds new accounts).</li>
 * </ul>
 * Anything else is a failure. No assertions: the caller reads the stats.
 *
 * <p>System properties: {@code baseUrl} (http://localhost:8080), {@code workload} (mix),
 * {@code accounts} (1000), {@code rate} (500), {@code duration} (30), {@code currency} (CAP).
 */
public class Capacity extends Simulation {

    private static final long INITIAL_BALANCE = 1_000_000_000_000L;
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    private final String baseUrl = stripTrailingSlash(System.getProperty("baseUrl", "http://localhost:8080"));
    private final String workload = System.getProperty("workload", "mix").toLowerCase(Locale.ROOT);
    private final int accountCount = Integer.getInteger("accounts", 1000);
    private final double rate = Double.parseDouble(System.getProperty("rate", "500"));
    private final int duration = Integer.getInteger("duration", 30);
    private final String currency = System.getProperty("currency", "CAP");

    /** The account ids, filled by before(); read by the virtual users only after it returns. */
    private volatile String[] accounts = new String[0];

    private final HttpProtocolBuilder protocol = http
            .baseUrl(baseUrl)
            // Gatling's default warm-up request goes to an outside site: warm up on the service instead.
            .warmUp(baseUrl + "/q/health/ready")
            .acceptHeader("application/json, application/problem+json")
            .userAgentHeader("ledger-load-tests/Capacity")
            // Open model: users come and go, connections stay in one keep-alive pool.
            .shareConnections();

    private final ChainBuilder transfer = exec(this::pickPair).exec(
            http("transfer")
                    .post("/transfers")
                    .asJson()
                    .header("Idempotency-Key", session -> UUID.randomUUID().toString())
                    .body(StringBody(session -> "{\"source\": \"" + session.getString("source")
                            + "\", \"destination\": \"" + session.getString("destination")
                            + "\", \"amount\": 1}"))
                    .check(status().is(201)));

    private final ChainBuilder balance = exec(this::pickOne).exec(
            http("balance")
                    .get("/accounts/#{account}/balance")
                    .check(status().is(200)));

    {
        ChainBuilder request = switch (workload) {
            case "transfers", "hot-source" -> transfer;
            case "balances" -> balance;
            case "mix" -> randomSwitch().on(
                    percent(75.0).then(balance),
                    percent(25.0).then(transfer));
            default -> throw new IllegalArgumentException(
                    "workload must be transfers, balances, mix or hot-source, not " + workload);
        };
        if (accountCount < (workload.equals("balances") ? 1 : 2)) {
            throw new IllegalArgumentException("accounts must be at least "
                    + (workload.equals("balances") ? 1 : 2) + " for workload " + workload);
        }
        if (!(rate > 0) || duration <= 0) {
            throw new IllegalArgumentException("rate and duration must be positive");
        }
        setUp(scenario("capacity " + workload)
                .exec(request)
                .injectOpen(constantUsersPerSec(rate).during(Duration.ofSeconds(duration))))
                .protocols(protocol)
                // Arrivals stop after duration; the last requests get the default 60 s request timeout.
                .maxDuration(Duration.ofSeconds(duration + 60L));
    }

    @Override
    public void before() {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        String body = "{\"currency\": \"" + currency + "\", \"initial_balance\": " + INITIAL_BALANCE + "}";
        // A few parallel openers: every opening also debits the currency's issuer, a hot row.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> opened = new ArrayList<>(accountCount);
            for (int i = 0; i < accountCount; i++) {
                opened.add(pool.submit(() -> openAccount(client, body)));
            }
            String[] ids = new String[accountCount];
            for (int i = 0; i < accountCount; i++) {
                ids[i] = opened.get(i).get();
            }
            accounts = ids;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening accounts", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("could not open the accounts: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private String openAccount(HttpClient client, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/accounts"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        Matcher id = ID.matcher(response.body());
        if (response.statusCode() != 201 || !id.find()) {
            throw new IOException("POST /accounts answered " + response.statusCode() + ": " + response.body());
        }
        return id.group(1);
    }

    private Session pickOne(Session session) {
        String[] ids = accounts;
        return session.set("account", ids[ThreadLocalRandom.current().nextInt(ids.length)]);
    }

    private Session pickPair(Session session) {
        String[] ids = accounts;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int source = workload.equals("hot-source") ? 0 : random.nextInt(ids.length);
        int destination = (source + 1 + random.nextInt(ids.length - 1)) % ids.length;
        return session.set("source", ids[source]).set("destination", ids[destination]);
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
