package dev.ledger.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jmesPath;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;

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
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Open-model capacity probe: constant arrival rates raised in steps, all in one JVM (a fresh
 * Gatling JVM spends its first seconds compiling, on the same two cores as the service). The
 * first step warms up and is not reported. Each step's requests are timed by the simulation
 * itself and written to {@code stepsFile} (default {@code target/capacity-steps.tsv}, relative to
 * the directory Maven runs in): rate, requests, failures, p50, p95, p99, max, then shed (503), successes
 * and their p99, one line per step, for bench.sh to find the highest step held and for
 * overload.sh to report what the service admitted and what it shed.
 *
 * <p>{@link #before()} opens {@code accounts} accounts (1,000,000,000,000 minor units each, so
 * transfers never run dry) with a plain {@link HttpClient}. Then {@code rate} virtual users arrive
 * per second for {@code duration} seconds, each sending exactly one request:
 * <ul>
 *   <li>{@code transfers}: a transfer of 1 between two distinct random accounts of the set, with a
 *       fresh Idempotency-Key; 201 is a success;</li>
 *   <li>{@code balances}: a balance read of a random account; 200 is a success;</li>
 *   <li>{@code balance-lists}: {@code batchSize} random accounts (at most 100) read in one
 *       {@code GET /balances}; a success is a 200 with that many balances. Rates count requests:
 *       balance reads per second are rate x batchSize.</li>
 *   <li>{@code mix}: 3 balance reads for 1 transfer (chosen at random per user);</li>
 *   <li>{@code hot-source}: transfers of 1, all from the first account to random others (as when
 *       an issuer funds new accounts);</li>
 *   <li>{@code batches} and {@code hot-source-batches}: the same transfers, {@code batchSize} per
 *       {@code POST /transfers/batch}; a success is a 200 in which every item is a 201. Rates
 *       count requests: transfers per second are rate x batchSize.</li>
 * </ul>
 * Anything else is a failure. No assertions: the caller reads the stats.
 *
 * <p>System properties: {@code baseUrl} (http://localhost:8080), {@code workload} (mix),
 * {@code accounts} (1000), {@code rates} (requests/s per step, comma-separated; default
 * 500,1000,2000), {@code duration} (seconds per step, 30), {@code warmup} (seconds at the first
 * rate before the steps, 20), {@code currency} (CAP),
 * {@code batchSize} (50), {@code apiKey} (none: see {@link ApiKey}).
 */
public class Capacity extends Simulation {

    private static final long INITIAL_BALANCE = 1_000_000_000_000L;
    /** The service's answer to a request beyond its concurrency limit (counted apart as shed). */
    private static final int SHED_STATUS = 503;
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    private final String baseUrl = stripTrailingSlash(System.getProperty("baseUrl", "http://localhost:8080"));
    private final String workload = System.getProperty("workload", "mix").toLowerCase(Locale.ROOT);
    private final int accountCount = Integer.getInteger("accounts", 1000);
    private final double[] rates = java.util.Arrays.stream(System.getProperty("rates", "500,1000,2000").split(","))
            .mapToDouble(rate -> Double.parseDouble(rate.trim())).toArray();
    private final int duration = Integer.getInteger("duration", 30);
    private final int warmup = Integer.getInteger("warmup", 20);
    private final StepStats stats = new StepStats(rates.length);
    private volatile long stepsStartNanos;
    private final String currency = System.getProperty("currency", "CAP");
    private final int batchSize = Integer.getInteger("batchSize", 50);
    private final boolean hotSource = workload.startsWith("hot-source");

    /** The account ids, filled by before(); read by the virtual users only after it returns. */
    private volatile String[] accounts = new String[0];

    private final HttpProtocolBuilder protocol = ApiKey.authorize(http
            .baseUrl(baseUrl)
            // Gatling's default warm-up request goes to an outside site: warm up on the service instead.
            .warmUp(baseUrl + "/q/health/ready")
            .acceptHeader("application/json, application/problem+json")
            .userAgentHeader("ledger-load-tests/Capacity")
            // Open model: users come and go, connections stay in one keep-alive pool.
            .shareConnections());

    private final ChainBuilder transfer = exec(this::pickPair).exec(
            http("transfer")
                    .post("/transfers")
                    .asJson()
                    .header("Idempotency-Key", session -> UUID.randomUUID().toString())
                    .body(StringBody(session -> "{\"source\": \"" + session.getString("source")
                            + "\", \"destination\": \"" + session.getString("destination")
                            + "\", \"amount\": 1}"))
                    .check(responseTimeInMillis().saveAs("rt"), status().saveAs("status"), status().is(201)))
            .exec(this::record);

    private final ChainBuilder batch = exec(
            http("transfer batch")
                    .post("/transfers/batch")
                    .asJson()
                    .body(StringBody(this::batchBody))
                    .check(responseTimeInMillis().saveAs("rt"), status().saveAs("status"), status().is(200),
                            jmesPath("length(results[?status != `201`])").ofInt().is(0)))
            .exec(this::record);

    private final ChainBuilder balanceList = exec(
            http("balance list")
                    .get(session -> "/balances?account_ids=" + randomAccounts())
                    .check(responseTimeInMillis().saveAs("rt"), status().saveAs("status"), status().is(200),
                            jmesPath("length(balances)").ofInt().is(batchSize)))
            .exec(this::record);

    private final ChainBuilder balance = exec(this::pickOne).exec(
            http("balance")
                    .get("/accounts/#{account}/balance")
                    .check(responseTimeInMillis().saveAs("rt"), status().saveAs("status"), status().is(200)))
            .exec(this::record);

    {
        ChainBuilder request = switch (workload) {
            case "transfers", "hot-source" -> transfer;
            case "batches", "hot-source-batches" -> batch;
            case "balances" -> balance;
            case "balance-lists" -> balanceList;
            case "mix" -> randomSwitch().on(
                    percent(75.0).then(balance),
                    percent(25.0).then(transfer));
            default -> throw new IllegalArgumentException(
                    "workload must be transfers, balances, balance-lists, mix, hot-source, batches or "
                            + "hot-source-batches, not "
                            + workload);
        };
        int maxBatchSize = workload.equals("balance-lists") ? 100 : 1000;
        if (batchSize < 1 || batchSize > maxBatchSize) {
            throw new IllegalArgumentException("batchSize must be 1.." + maxBatchSize + ", the service's limit");
        }
        int minAccounts = workload.startsWith("balance") ? 1 : 2;
        if (accountCount < minAccounts) {
            throw new IllegalArgumentException("accounts must be at least " + minAccounts + " for workload " + workload);
        }
        if (rates.length == 0 || java.util.Arrays.stream(rates).anyMatch(rate -> !(rate > 0)) || duration <= 0) {
            throw new IllegalArgumentException("rates and duration must be positive");
        }
        List<io.gatling.javaapi.core.OpenInjectionStep> steps = new ArrayList<>();
        steps.add(constantUsersPerSec(rates[0]).during(Duration.ofSeconds(Math.max(1, warmup))));
        for (double rate : rates) {
            steps.add(constantUsersPerSec(rate).during(Duration.ofSeconds(duration)));
        }
        setUp(scenario("capacity " + workload)
                .exec(session -> session.set("step", stepNow()))
                .exec(request)
                .injectOpen(steps))
                .protocols(protocol)
                // Arrivals stop after the last step; the last requests get the 60 s request timeout.
                .maxDuration(Duration.ofSeconds(Math.max(1, warmup) + (long) duration * rates.length + 60L));
    }

    /** The step a user arriving now belongs to; -1 during the warm-up. */
    private int stepNow() {
        long elapsedSeconds = (System.nanoTime() - stepsStartNanos) / 1_000_000_000L - Math.max(1, warmup);
        return elapsedSeconds < 0 ? -1 : (int) Math.min(rates.length - 1, elapsedSeconds / duration);
    }

    private Session record(Session session) {
        int step = session.getInt("step");
        if (step >= 0 && session.contains("rt")) {
            boolean shed = session.contains("status") && session.getInt("status") == SHED_STATUS;
            stats.record(step, session.getLong("rt"), session.isFailed(), shed);
        } else if (step >= 0) {
            stats.record(step, Long.MAX_VALUE, true, false);
        }
        return session;
    }

    @Override
    public void after() {
        StringBuilder table = new StringBuilder(
                "rate\trequests\tfailed\tp50_ms\tp95_ms\tp99_ms\tmax_ms\tshed\tok\tok_p99_ms\n");
        for (int step = 0; step < rates.length; step++) {
            table.append(String.format(Locale.ROOT, "%.0f\t%s%n", rates[step], stats.summary(step)));
        }
        try {
            java.nio.file.Path file = java.nio.file.Path.of(System.getProperty("stepsFile", "target/capacity-steps.tsv"));
            java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
            java.nio.file.Files.writeString(file, table);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        System.out.println("capacity " + workload + " over " + accountCount + " accounts:\n" + table);
    }

    /**
     * Response times per step in 1 ms buckets (up to 60 s), for all requests and for the successful
     * ones alone (under overload the latency that matters is that of the admitted requests),
     * failures, and among them the requests the service shed (503).
     */
    private static final class StepStats {
        private static final int BUCKETS = 60_001;
        private final AtomicLongArray[] all;
        private final AtomicLongArray[] ok;
        private final AtomicLongArray failures;
        private final AtomicLongArray shed;

        StepStats(int steps) {
            all = new AtomicLongArray[steps];
            ok = new AtomicLongArray[steps];
            for (int i = 0; i < steps; i++) {
                all[i] = new AtomicLongArray(BUCKETS);
                ok[i] = new AtomicLongArray(BUCKETS);
            }
            failures = new AtomicLongArray(steps);
            shed = new AtomicLongArray(steps);
        }

        void record(int step, long millis, boolean failed, boolean wasShed) {
            int bucket = (int) Math.min(BUCKETS - 1, Math.max(0, millis));
            all[step].incrementAndGet(bucket);
            if (failed) {
                failures.incrementAndGet(step);
            } else {
                ok[step].incrementAndGet(bucket);
            }
            if (wasShed) {
                shed.incrementAndGet(step);
            }
        }

        String summary(int step) {
            long total = count(all[step]);
            long max = 0;
            for (int ms = 0; ms < BUCKETS; ms++) {
                if (all[step].get(ms) > 0) {
                    max = ms;
                }
            }
            long succeeded = count(ok[step]);
            return total + "\t" + failures.get(step) + "\t" + percentile(all[step], total, 0.50) + "\t"
                    + percentile(all[step], total, 0.95) + "\t" + percentile(all[step], total, 0.99) + "\t" + max + "\t" + shed.get(step) + "\t"
                    + succeeded + "\t" + percentile(ok[step], succeeded, 0.99);
        }

        private static long count(AtomicLongArray histogram) {
            long total = 0;
            for (int ms = 0; ms < BUCKETS; ms++) {
                total += histogram.get(ms);
            }
            return total;
        }

        private static long percentile(AtomicLongArray histogram, long total, double q) {
            long rank = (long) Math.ceil(q * total);
            long seen = 0;
            for (int ms = 0; ms < BUCKETS; ms++) {
                seen += histogram.get(ms);
                if (seen >= rank && rank > 0) {
                    return ms;
                }
            }
            return -1;
        }
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
            stepsStartNanos = System.nanoTime();
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
        HttpRequest request = ApiKey.authorize(HttpRequest.newBuilder(URI.create(baseUrl + "/accounts")))
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
        int source = hotSource ? 0 : random.nextInt(ids.length);
        int destination = (source + 1 + random.nextInt(ids.length - 1)) % ids.length;
        return session.set("source", ids[source]).set("destination", ids[destination]);
    }

    /** batchSize random account ids, separated by commas: GET /balances' account_ids. */
    private String randomAccounts() {
        String[] ids = accounts;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder list = new StringBuilder(37 * batchSize);
        for (int i = 0; i < batchSize; i++) {
            list.append(i == 0 ? "" : ",").append(ids[random.nextInt(ids.length)]);
        }
        return list.toString();
    }

    /** batchSize transfers of 1 between random accounts (from the first one for hot-source-batches). */
    private String batchBody(Session session) {
        String[] ids = accounts;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder body = new StringBuilder(160 * batchSize).append("{\"transfers\": [");
        for (int i = 0; i < batchSize; i++) {
            int source = hotSource ? 0 : random.nextInt(ids.length);
            int destination = (source + 1 + random.nextInt(ids.length - 1)) % ids.length;
            body.append(i == 0 ? "" : ", ").append("{\"id\": \"").append(UUID.randomUUID())
                    .append("\", \"source\": \"").append(ids[source])
                    .append("\", \"destination\": \"").append(ids[destination]).append("\", \"amount\": 1}");
        }
        return body.append("]}").toString();
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
