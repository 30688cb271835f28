package dev.ledger.bank;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jepsen's bank test for the ledger: C clients move money between K accounts of one fresh
 * currency while faults are injected, then the log is read with SQL and every invariant is
 * checked against what the clients were told. Exits 1 on any violation. See load-tests/bank.sh,
 * which starts what this needs, and docs/reliability.md.
 */
public final class BankCheck {

    private static final Pattern STRING_FIELD = Pattern.compile("\"([a-z_]+)\":\"([^\"]*)\"");
    /** GET /balances' limit (Balances.MAX_ACCOUNTS). */
    private static final int MAX_ACCOUNTS_PER_READ = 100;
    private static final Duration TOTALS_INTERVAL = Duration.ofMillis(50);
    private static final Pattern NUMBER_FIELD = Pattern.compile("\"([a-z_]+)\":(-?\\d+)");
    private static final Duration BACKOFF_MIN = Duration.ofMillis(20);
    private static final Duration BACKOFF_MAX = Duration.ofSeconds(1);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration READY_POLL = Duration.ofMillis(200);
    private static final int POINT_IN_TIME_INSTANTS = 6;
    private static final int REPLAY_SAMPLE = 200;

    private final Options options;
    private final HttpClient http;
    private final String apiKey = System.getenv("LEDGER_API_KEY");
    private final String currency;
    private final List<UUID> accounts = new ArrayList<>();
    private final Stats stats = new Stats();
    private final Set<UUID> sent = ConcurrentHashMap.newKeySet();
    private final Map<UUID, Ack> acknowledged = new ConcurrentHashMap<>();
    /** Each rejected transfer with its attempts, which a violation report shows. */
    private final Map<UUID, String> rejected = new ConcurrentHashMap<>();
    private final Set<UUID> unknown = ConcurrentHashMap.newKeySet();
    private final List<FaultRecord> faults = new ArrayList<>();
    private final List<ReadyChange> readyChanges = new ArrayList<>();
    private final Map<String, Long> pointInTime = new LinkedHashMap<>();
    private final Queue<Long> definiteAnswers = new ConcurrentLinkedQueue<>();
    private volatile boolean stopReadiness;

    private BankCheck(Options options) {
        this.options = options;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
        // Fresh per run, so that runs against the same database never see each other's accounts.
        this.currency = "BANK" + UUID.randomUUID().toString().replace("-", "").substring(0, 7).toUpperCase(Locale.ROOT);
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        System.out.printf("bank check: %d accounts, %d clients, %d s, seed %d, faults %s every %d s after %d s%n",
                options.accounts, options.clients, options.durationSeconds, options.seed,
                options.faults.isEmpty() ? "none" : String.join(",", options.faults),
                options.faultIntervalSeconds, options.warmupSeconds);
        boolean passed = new BankCheck(options).run();
        System.exit(passed ? 0 : 1);
    }

    private boolean run() throws Exception {
        openAccounts();
        Thread readiness = new Thread(this::watchReadiness, "readiness");
        readiness.setDaemon(true);
        readiness.start();
        Instant start = Instant.now();
        Instant deadline = start.plusSeconds(options.durationSeconds);
        ExecutorService clients = Executors.newFixedThreadPool(options.clients);
        for (int i = 0; i < options.clients; i++) {
            long clientSeed = options.seed * 1_000_003L + i;
            clients.submit(() -> client(new Random(clientSeed), deadline));
        }
        clients.shutdown();
        // Jepsen's read, through the API while the faults come: all accounts at once, one snapshot.
        Thread totals = new Thread(() -> readTotals(deadline), "totals");
        totals.start();
        Instant snapshotAt = start.plusSeconds(Math.min(options.warmupSeconds, options.durationSeconds));
        sleepUntil(snapshotAt);
        readPointInTime(start, snapshotAt);
        injectFaults(deadline);
        if (!clients.awaitTermination(options.durationSeconds + options.retrySeconds + 60L, TimeUnit.SECONDS)) {
            throw new IllegalStateException("clients did not finish");
        }
        totals.join();
        Instant end = Instant.now();
        stopReadiness = true;
        readiness.join();
        return report(start, end);
    }

    // ---- workload ------------------------------------------------------------------------------

    private void openAccounts() {
        for (int i = 0; i < options.accounts; i++) {
            UUID id = UUID.randomUUID();
            sent.add(id);
            String body = "{\"id\":\"" + id + "\",\"currency\":\"" + currency + "\",\"initial_balance\":"
                    + options.initialBalance + "}";
            Answer answer = definite("/accounts", body);
            if (answer.status != 201 && answer.status != 200) {
                throw new IllegalStateException("could not open an account: " + answer.status + " " + answer.body);
            }
            accounts.add(id);
        }
        System.out.printf("opened %d accounts of %s with %d each%n", accounts.size(), currency, options.initialBalance);
    }

    private void client(Random random, Instant deadline) {
        try {
            while (Instant.now().isBefore(deadline)) {
                int from = random.nextInt(accounts.size());
                int to = (from + 1 + random.nextInt(accounts.size() - 1)) % accounts.size();
                // Up to the initial balance: a source that has paid out some is often short.
                long amount = 1 + random.nextInt((int) options.initialBalance);
                transfer(UUID.randomUUID(), accounts.get(from), accounts.get(to), amount);
            }
        } catch (RuntimeException e) {
            stats.unexpected("client crashed: " + e);
        }
    }

    /**
     * Reads every account in one GET /balances until the deadline, 20 times a second: one statement,
     * one snapshot, so the total is the money put in at every read, whatever commits during it.
     * A read that fails (a fault) reads nothing; there is nothing to retry.
     */
    private void readTotals(Instant deadline) {
        if (accounts.size() > MAX_ACCOUNTS_PER_READ) {
            System.out.printf("totals not read: %d accounts, GET /balances takes %d%n", accounts.size(),
                    MAX_ACCOUNTS_PER_READ);
            return;
        }
        String path = "/balances?account_ids=" + String.join(",", accounts.stream().map(UUID::toString).toList());
        long expected = options.initialBalance * accounts.size();
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> response = get(path);
                if (response.statusCode() == 200) {
                    long total = 0;
                    int balances = 0;
                    Matcher field = NUMBER_FIELD.matcher(response.body());
                    while (field.find()) {
                        if (field.group(1).equals("balance")) {
                            total += Long.parseLong(field.group(2));
                            balances++;
                        }
                    }
                    stats.totalsRead.incrementAndGet();
                    if (balances != accounts.size() || total != expected) {
                        stats.wrongTotals.add("total " + total + " of " + balances + " balances, expected " + expected
                                + ": " + response.body());
                    }
                }
            } catch (IOException e) {
                // The service is down or restarting: no read, nothing to check.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            sleep(TOTALS_INTERVAL);
        }
    }

    private void transfer(UUID id, UUID source, UUID destination, long amount) {
        sent.add(id);
        String body = "{\"id\":\"" + id + "\",\"source\":\"" + source + "\",\"destination\":\"" + destination
                + "\",\"amount\":" + amount + "}";
        Answer answer = definite("/transfers", body);
        switch (answer.status) {
            case 201, 200 -> {
                if (answer.status == 200 && answer.attempts == 1) {
                    stats.unexpected("replay answered to the first attempt of " + id);
                }
                Ack ack = new Ack(id, source, destination, amount, answer.number("index"), answer.string("created_at"));
                if (!source.toString().equals(answer.string("source")) || amount != answer.number("amount")) {
                    stats.unexpected("acknowledgement of " + id + " has other content: " + answer.body);
                }
                acknowledged.put(id, ack);
                stats.acknowledged.incrementAndGet();
                if (answer.status == 200) {
                    stats.acknowledgedByReplay.incrementAndGet();
                }
                recordRecovery(answer);
            }
            case 422 -> {
                rejected.put(id, answer.history());
                stats.count("rejected " + answer.string("type").replace("urn:ledger:problem:", ""));
                recordRecovery(answer);
            }
            case -1 -> unknown.add(id);
            default -> stats.unexpected("transfer " + id + " answered " + answer.status + ": " + answer.body);
        }
    }

    /**
     * Sends the request until the answer is definite (not a timeout, connection error, 429 or
     * 5xx), with the same body and so the same id, for at most retry-seconds. Status -1: unknown.
     */
    private Answer definite(String path, String body) {
        Instant giveUp = Instant.now().plusSeconds(options.retrySeconds);
        long backoffMillis = BACKOFF_MIN.toMillis();
        int attempts = 0;
        StringBuilder history = new StringBuilder();
        while (true) {
            attempts++;
            history.append("sent ").append(Instant.now()).append(" → ");
            stats.attempts.incrementAndGet();
            long sentAt = System.nanoTime();
            Instant sentInstant = Instant.now();
            HttpResponse<String> response;
            try {
                response = http.send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                stats.count("indefinite: " + (e instanceof HttpTimeoutException ? "client timeout"
                        : e instanceof ConnectException ? "connection refused" : "connection lost before the answer"));
                history.append(e.getClass().getSimpleName()).append(" at ").append(Instant.now()).append(", ");
                response = null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            long millis = (System.nanoTime() - sentAt) / 1_000_000;
            if (response != null) {
                stats.answered(millis, options.answerBoundSeconds * 1000L);
                int status = response.statusCode();
                if (status < 500 && status != 429) {
                    history.append(status).append(" at ").append(Instant.now());
                    return new Answer(status, response.body(), attempts, sentInstant, history.toString());
                }
                checkRetryAfter(response);
                stats.count("indefinite: " + status + " " + Answer.field(STRING_FIELD, response.body(), "type"));
                history.append(status).append(" at ").append(Instant.now()).append(", ");
            }
            if (Instant.now().isAfter(giveUp)) {
                return new Answer(-1, "", attempts, sentInstant, history.toString());
            }
            sleep(Duration.ofMillis(backoffMillis / 2 + (long) (Math.random() * backoffMillis / 2)));
            backoffMillis = Math.min(backoffMillis * 2, BACKOFF_MAX.toMillis());
        }
    }

    private void checkRetryAfter(HttpResponse<String> response) {
        if (response.statusCode() != 503) {
            return;
        }
        boolean problem = response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json");
        if (response.headers().firstValue("Retry-After").isEmpty() || !problem) {
            stats.unretryable503.incrementAndGet();
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(options.baseUrl + path))
                .timeout(Duration.ofSeconds(options.requestTimeoutSeconds))
                .header("Content-Type", "application/json");
        if (apiKey != null && !apiKey.isEmpty()) {
            builder.header("Authorization", "Bearer " + apiKey);
        }
        return builder;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    // ---- point-in-time balances --------------------------------------------------------------

    /** Balances at instants that are final (older than the longest transaction) before any fault. */
    private void readPointInTime(Instant start, Instant readAt) throws Exception {
        Instant newest = readAt.minusSeconds(options.finalitySeconds);
        Instant oldest = start.minusSeconds(1);
        if (newest.isBefore(oldest)) {
            newest = oldest;
        }
        long stepMillis = Duration.between(oldest, newest).toMillis() / Math.max(1, POINT_IN_TIME_INSTANTS - 1);
        for (int i = 0; i < POINT_IN_TIME_INSTANTS; i++) {
            Instant at = oldest.plusMillis(stepMillis * i).truncatedTo(ChronoUnit.MICROS);
            for (UUID account : accounts) {
                String key = account + "@" + at;
                pointInTime.put(key, balanceAt(account, at));
            }
        }
        System.out.printf("read %d point-in-time balances for instants %s .. %s%n", pointInTime.size(), oldest, newest);
    }

    private long balanceAt(UUID account, Instant at) throws Exception {
        Instant giveUp = Instant.now().plusSeconds(options.retrySeconds);
        while (true) {
            try {
                HttpResponse<String> response = get("/accounts/" + account + "/balance?at=" + at);
                if (response.statusCode() == 200) {
                    return new Answer(200, response.body(), 1, Instant.now(), "").number("balance");
                }
            } catch (IOException e) {
                // The service is restarting or the database is away: read again shortly.
            }
            if (Instant.now().isAfter(giveUp)) {
                throw new IllegalStateException("no balance for " + account + " at " + at);
            }
            sleep(Duration.ofMillis(200));
        }
    }

    // ---- faults --------------------------------------------------------------------------------

    private void injectFaults(Instant deadline) throws Exception {
        if (options.faults.isEmpty()) {
            return;
        }
        Instant next = Instant.now();
        // The last fault leaves the service time to recover while clients still run.
        Instant lastStart = deadline.minusSeconds(Math.min(options.faultIntervalSeconds, 10));
        for (int i = 0; next.isBefore(lastStart); i++) {
            sleepUntil(next);
            String name = options.faults.get(i % options.faults.size());
            FaultRecord fault = new FaultRecord(name, Instant.now());
            synchronized (faults) {
                faults.add(fault);
            }
            List<String> command = new ArrayList<>(List.of(options.faultCommand.split(" ")));
            command.add(name);
            int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
            synchronized (faults) {
                fault.injectedFor = Duration.between(fault.start, Instant.now());
            }
            System.out.printf("fault %-22s at +%3d s: injected in %.1f s, exit %d%n", name,
                    Duration.between(faults.get(0).start, fault.start).toSeconds(),
                    fault.injectedFor.toMillis() / 1000.0, exit);
            if (exit != 0) {
                stats.unexpected("fault command failed for " + name + " (exit " + exit + ")");
            }
            next = fault.start.plusSeconds(options.faultIntervalSeconds);
        }
    }

    /** The first definite answer to a request sent after a fault's injection ended: the service works again. */
    private void recordRecovery(Answer answer) {
        Instant now = Instant.now();
        definiteAnswers.add(now.toEpochMilli());
        synchronized (faults) {
            for (FaultRecord fault : faults) {
                if (fault.recoveredAt == null && fault.injectedFor != null
                        && !answer.sentAt.isBefore(fault.start.plus(fault.injectedFor))) {
                    fault.recoveredAt = now;
                }
            }
        }
    }

    /** The longest time without any definite answer from the fault's start until the next fault or the end. */
    private Duration longestOutage(Instant from, Instant until) {
        long previous = from.toEpochMilli();
        long longest = 0;
        for (long at : definiteAnswers.stream().mapToLong(Long::longValue).sorted().toArray()) {
            if (at < from.toEpochMilli() || at > until.toEpochMilli()) {
                continue;
            }
            longest = Math.max(longest, at - previous);
            previous = at;
        }
        return Duration.ofMillis(Math.max(longest, until.toEpochMilli() - previous));
    }

    private void watchReadiness() {
        Boolean last = null;
        while (!stopReadiness) {
            boolean up;
            try {
                HttpResponse<String> response = http.send(request("/q/health/ready")
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                up = response.statusCode() == 200;
            } catch (IOException e) {
                up = false;
            } catch (InterruptedException e) {
                return;
            }
            if (last == null || up != last) {
                synchronized (readyChanges) {
                    readyChanges.add(new ReadyChange(Instant.now(), up));
                }
                last = up;
            }
            sleep(READY_POLL);
        }
    }

    // ---- final checks --------------------------------------------------------------------------

    private boolean report(Instant start, Instant end) throws Exception {
        double seconds = Duration.between(start, end).toMillis() / 1000.0;
        System.out.println();
        System.out.printf("transfers sent %d: acknowledged %d (%d of them by a replay after a retry), rejected %d, "
                + "unknown %d; %d HTTP attempts; %.0f acknowledged/s over %.0f s%n", sent.size() - accounts.size(),
                stats.acknowledged.get(), stats.acknowledgedByReplay.get(), rejected.size(), unknown.size(),
                stats.attempts.get(), stats.acknowledged.get() / seconds, seconds);
        System.out.printf("answer times: max %d ms, %d over the %d s bound%n", stats.maxAnswerMillis.get(),
                stats.overBound.get(), options.answerBoundSeconds);
        stats.counts.forEach((what, n) -> System.out.printf("  %-60s %d%n", what, n.get()));
        reportFaults(end);

        List<Check> checks = new ArrayList<>();
        try (Connection db = DriverManager.getConnection(options.jdbcUrl, options.dbUser, options.dbPassword)) {
            checkLog(db, checks);
            checkDatabaseInvariants(db, checks);
            checkPointInTime(db, checks);
            checkBalancesThroughApi(db, checks);
        }
        checkReplays(checks);
        checks.add(new Check("reads of all accounts in one GET /balances whose total is not the money put in",
                stats.wrongTotals.size(), stats.totalsRead.get()));
        stats.wrongTotals.stream().limit(5).forEach(line -> System.out.println("  ! " + line));
        checks.add(new Check("unexpected answers or client errors", stats.unexpected.size(), stats.attempts.get()));
        checks.add(new Check("503 answers without Retry-After or problem+json", stats.unretryable503.get(),
                stats.attempts.get()));
        checks.add(new Check("answers slower than " + options.answerBoundSeconds + " s", stats.overBound.get(),
                stats.attempts.get()));
        stats.unexpected.stream().limit(20).forEach(line -> System.out.println("  ! " + line));

        System.out.println();
        boolean passed = true;
        for (Check check : checks) {
            System.out.printf("%s  %-78s %d violations of %d%n", check.violations == 0 ? "PASS" : "FAIL",
                    check.what, check.violations, check.of);
            passed &= check.violations == 0;
        }
        System.out.println(passed ? "bank check PASSED" : "bank check FAILED");
        return passed;
    }

    private void reportFaults(Instant end) {
        List<ReadyChange> changes;
        synchronized (readyChanges) {
            changes = List.copyOf(readyChanges);
        }
        for (int i = 0; i < faults.size(); i++) {
            FaultRecord fault = faults.get(i);
            Instant until = i + 1 < faults.size() ? faults.get(i + 1).start : end;
            Instant injected = fault.start.plus(fault.injectedFor);
            String recovery = fault.recoveredAt == null ? "never"
                    : String.format("%.1f s", Duration.between(injected, fault.recoveredAt).toMillis() / 1000.0);
            Instant downAt = null;
            Instant upAgain = null;
            for (ReadyChange change : changes) {
                if (change.at.isBefore(fault.start) || change.at.isAfter(until)) {
                    continue;
                }
                if (!change.up && downAt == null) {
                    downAt = change.at;
                } else if (change.up && downAt != null) {
                    upAgain = change.at;
                    break;
                }
            }
            String readiness = downAt == null ? "readiness stayed UP"
                    : String.format("readiness DOWN %.1f s after, UP again after %s", Duration.between(fault.start, downAt)
                            .toMillis() / 1000.0, upAgain == null ? "never" : String.format("%.1f s",
                            Duration.between(fault.start, upAgain).toMillis() / 1000.0));
            System.out.printf("  fault %-22s injected in %.1f s; longest time without a definite answer %.1f s; "
                    + "first definite answer %s after the injection; %s%n", fault.name, fault.injectedFor.toMillis() / 1000.0,
                    longestOutage(fault.start, until).toMillis() / 1000.0, recovery, readiness);
        }
    }

    private void checkLog(Connection db, List<Check> checks) throws SQLException {
        Map<UUID, LogRow> log = new HashMap<>();
        long duplicates = 0;
        try (PreparedStatement statement = db.prepareStatement("""
                SELECT t.id, t.source, t.index, t.destination, t.amount
                  FROM transfer t JOIN account a ON a.id = t.source WHERE a.currency = ?""")) {
            statement.setString(1, currency);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    LogRow row = new LogRow(rows.getObject(2, UUID.class), rows.getLong(3), rows.getObject(4, UUID.class),
                            rows.getLong(5));
                    if (log.put(rows.getObject(1, UUID.class), row) != null) {
                        duplicates++;
                    }
                }
            }
        }
        long missing = 0;
        long differing = 0;
        for (Ack ack : acknowledged.values()) {
            LogRow row = log.get(ack.id);
            if (row == null) {
                missing++;
            } else if (!row.source.equals(ack.source) || !row.destination.equals(ack.destination)
                    || row.amount != ack.amount || row.index != ack.index) {
                differing++;
            }
        }
        long rejectedLogged = rejected.keySet().stream().filter(log::containsKey).count();
        rejected.keySet().stream().filter(log::containsKey).limit(5)
                .forEach(id -> stats.unexpected("rejected (422) but in the log: " + id + ", attempts: " + rejected.get(id)));
        long neverSent = log.keySet().stream().filter(id -> !sent.contains(id)).count();
        long unknownLogged = unknown.stream().filter(log::containsKey).count();
        System.out.printf("log: %d transfers of %s; of the %d unknown, %d are in the log and %d are not%n",
                log.size(), currency, unknown.size(), unknownLogged, unknown.size() - unknownLogged);
        long expected = acknowledged.size() + unknownLogged + accounts.size();
        checks.add(new Check("acknowledged transfers missing from the log", missing, acknowledged.size()));
        checks.add(new Check("acknowledged transfers whose log row differs (source, destination, amount, index)",
                differing, acknowledged.size()));
        checks.add(new Check("ids in the log more than once", duplicates, log.size()));
        checks.add(new Check("rejected (422) transfers in the log", rejectedLogged, rejected.size()));
        checks.add(new Check("transfers in the log that no client sent", neverSent, log.size()));
        checks.add(new Check("log size = acknowledged + unknown found + fundings", Math.abs(log.size() - expected), log.size()));
    }

    private void checkDatabaseInvariants(Connection db, List<Check> checks) throws SQLException {
        String accountsOf = "SELECT a.id FROM account a WHERE a.currency = ?";
        String logOf = "SELECT t.* FROM transfer t JOIN account s ON s.id = t.source WHERE s.currency = ?";
        violations(db, checks, "currency sum is not zero", "SELECT 1 WHERE (SELECT sum(balance_at(a.id, 'infinity'))"
                + " FROM account a WHERE a.currency = ?) <> 0", "SELECT 1");
        violations(db, checks, "regular accounts below zero now", "SELECT a.id FROM account a WHERE a.currency = ?"
                + " AND a.kind = 'regular' AND balance_at(a.id, 'infinity') < 0", accountsOf);
        violations(db, checks, "sources whose indexes are not exactly 1..n", "SELECT t.source FROM (" + logOf + ") t"
                + " GROUP BY t.source HAVING min(t.index) <> 1 OR max(t.index) <> count(*)", "SELECT DISTINCT t.source FROM ("
                + logOf + ") t");
        violations(db, checks, "credit lanes whose positions are not exactly 1..n", "SELECT 1 FROM (" + logOf + ") t"
                + " GROUP BY t.destination, t.credit_lane HAVING min(t.credit_lane_seq) <> 1"
                + " OR max(t.credit_lane_seq) <> count(*)", "SELECT DISTINCT t.destination, t.credit_lane FROM (" + logOf + ") t");
        violations(db, checks, "transfers whose source_debited, credit_lane_total or chain times disagree with the log",
                """
                SELECT 1 FROM (
                  SELECT t.source_debited <> sum(t.amount) OVER source_chain AS debit_wrong,
                         t.credit_lane_total <> sum(t.amount) OVER lane_chain AS credit_wrong,
                         t.created_at <= lag(t.created_at) OVER source_chain AS source_time_wrong,
                         t.created_at <= lag(t.created_at) OVER lane_chain AS lane_time_wrong
                    FROM (""" + logOf + """
                ) t
                  WINDOW source_chain AS (PARTITION BY t.source ORDER BY t.index),
                         lane_chain AS (PARTITION BY t.destination, t.credit_lane ORDER BY t.credit_lane_seq)) c
                WHERE debit_wrong OR credit_wrong OR source_time_wrong OR lane_time_wrong""", logOf);
        // The balance the trigger saw can only lag the log (credits committed later), never exceed it.
        violations(db, checks, "transfers whose source_balance_after exceeds the recomputed balance, or is negative",
                """
                WITH logged AS (""" + logOf + """
                ), event AS (
                  SELECT t.destination AS account, t.amount AS delta, t.created_at, NULL::uuid AS debit FROM logged t
                  UNION ALL
                  SELECT t.source, -t.amount, t.created_at, t.id FROM logged t),
                running AS (
                  SELECT e.debit, sum(e.delta) OVER (PARTITION BY e.account ORDER BY e.created_at) AS balance FROM event e)
                SELECT 1 FROM running r JOIN logged t ON t.id = r.debit JOIN account s ON s.id = t.source
                WHERE t.source_balance_after > r.balance OR (s.kind = 'regular' AND t.source_balance_after < 0)""", logOf);
        violations(db, checks, "instants at which a regular account's recomputed balance is below zero", """
                WITH logged AS (""" + logOf + """
                )
                SELECT 1 FROM (
                  SELECT e.account, sum(e.delta) OVER (PARTITION BY e.account ORDER BY e.created_at) AS balance
                    FROM (SELECT t.destination AS account, t.amount AS delta, t.created_at FROM logged t
                          UNION ALL
                          SELECT t.source, -t.amount, t.created_at FROM logged t) e) r
                JOIN account a ON a.id = r.account
                WHERE a.kind = 'regular' AND r.balance < 0""", logOf);
        violations(db, checks, "accounts whose balance_at (9 probes) differs from the full recomputation", """
                SELECT 1 FROM account a WHERE a.currency = ? AND balance_at(a.id, 'infinity')
                   <> coalesce((SELECT sum(t.amount) FROM transfer t WHERE t.destination = a.id), 0)
                    - coalesce((SELECT sum(t.amount) FROM transfer t WHERE t.source = a.id), 0)""", accountsOf);
    }

    private void violations(Connection db, List<Check> checks, String what, String violating, String population)
            throws SQLException {
        checks.add(new Check(what, count(db, violating), count(db, population)));
    }

    private long count(Connection db, String sql) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement("SELECT count(*) FROM (" + sql + ") AS counted")) {
            for (int i = 1; i <= statement.getParameterMetaData().getParameterCount(); i++) {
                statement.setString(i, currency);
            }
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** The balances read before the faults, again through the API, and recomputed from the log. */
    private void checkPointInTime(Connection db, List<Check> checks) throws Exception {
        long changed = 0;
        long differsFromLog = 0;
        try (PreparedStatement recompute = db.prepareStatement("""
                SELECT coalesce(sum(CASE WHEN t.destination = ? THEN t.amount ELSE -t.amount END), 0)
                  FROM transfer t WHERE (t.destination = ? OR t.source = ?) AND t.created_at <= ?""")) {
            for (Map.Entry<String, Long> read : pointInTime.entrySet()) {
                String[] key = read.getKey().split("@");
                UUID account = UUID.fromString(key[0]);
                Instant at = Instant.parse(key[1]);
                if (balanceAt(account, at) != read.getValue()) {
                    changed++;
                }
                recompute.setObject(1, account);
                recompute.setObject(2, account);
                recompute.setObject(3, account);
                recompute.setTimestamp(4, Timestamp.from(at));
                try (ResultSet rows = recompute.executeQuery()) {
                    rows.next();
                    if (rows.getLong(1) != read.getValue()) {
                        differsFromLog++;
                    }
                }
            }
        }
        checks.add(new Check("point-in-time balances read before the faults that changed after them", changed,
                pointInTime.size()));
        checks.add(new Check("point-in-time balances read before the faults that differ from the log's sum",
                differsFromLog, pointInTime.size()));
    }

    private void checkBalancesThroughApi(Connection db, List<Check> checks) throws Exception {
        long differing = 0;
        try (PreparedStatement recompute = db.prepareStatement("""
                SELECT coalesce(sum(CASE WHEN t.destination = ? THEN t.amount ELSE -t.amount END), 0),
                       count(*) FILTER (WHERE t.source = ?)
                  FROM transfer t WHERE t.destination = ? OR t.source = ?""")) {
            for (UUID account : accounts) {
                HttpResponse<String> response = get("/accounts/" + account);
                for (int i = 1; i <= 4; i++) {
                    recompute.setObject(i, account);
                }
                try (ResultSet rows = recompute.executeQuery()) {
                    rows.next();
                    String balance = Answer.field(NUMBER_FIELD, response.body(), "balance");
                    String transferCount = Answer.field(NUMBER_FIELD, response.body(), "transfer_count");
                    if (response.statusCode() != 200 || !Long.toString(rows.getLong(1)).equals(balance)
                            || !Long.toString(rows.getLong(2)).equals(transferCount)) {
                        differing++;
                    }
                }
            }
        }
        checks.add(new Check("accounts whose API balance or transfer_count differs from the log", differing,
                accounts.size()));
    }

    /** A replay must return the transfer the first answer described, whatever happened in between. */
    private void checkReplays(List<Check> checks) {
        List<Ack> sample = acknowledged.values().stream().limit(REPLAY_SAMPLE).toList();
        long differing = 0;
        for (Ack ack : sample) {
            String body = "{\"id\":\"" + ack.id + "\",\"source\":\"" + ack.source + "\",\"destination\":\""
                    + ack.destination + "\",\"amount\":" + ack.amount + "}";
            Answer answer = definite("/transfers", body);
            if (answer.status != 200 || answer.number("index") != ack.index
                    || !ack.createdAt.equals(answer.string("created_at"))) {
                differing++;
            }
        }
        checks.add(new Check("replays of acknowledged ids that do not return the same transfer", differing, sample.size()));
    }

    // ---- small things --------------------------------------------------------------------------

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleepUntil(Instant instant) {
        long millis = Duration.between(Instant.now(), instant).toMillis();
        if (millis > 0) {
            sleep(Duration.ofMillis(millis));
        }
    }

    private record Ack(UUID id, UUID source, UUID destination, long amount, long index, String createdAt) {
    }

    private record LogRow(UUID source, long index, UUID destination, long amount) {
    }

    private record Check(String what, long violations, long of) {
    }

    private record ReadyChange(Instant at, boolean up) {
    }

    private static final class FaultRecord {
        final String name;
        final Instant start;
        /** Guarded by the faults list, like recoveredAt. */
        Duration injectedFor;
        Instant recoveredAt;

        FaultRecord(String name, Instant start) {
            this.name = name;
            this.start = start;
        }
    }

    /** A definite HTTP answer, or status -1 when none came within the retry bound. */
    /** {@code history}: every attempt's outcome and when it came, for the report of a violation. */
    private record Answer(int status, String body, int attempts, Instant sentAt, String history) {

        String string(String name) {
            String value = field(STRING_FIELD, body, name);
            return value == null ? "" : value;
        }

        long number(String name) {
            String value = field(NUMBER_FIELD, body, name);
            return value == null ? Long.MIN_VALUE : Long.parseLong(value);
        }

        /** The service's JSON is flat where this reads it; a JSON library would be one more dependency. */
        static String field(Pattern pattern, String json, String name) {
            Matcher matcher = pattern.matcher(json == null ? "" : json);
            while (matcher.find()) {
                if (matcher.group(1).equals(name)) {
                    return matcher.group(2);
                }
            }
            return null;
        }
    }

    private static final class Stats {
        final AtomicLong attempts = new AtomicLong();
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong acknowledgedByReplay = new AtomicLong();
        final AtomicLong maxAnswerMillis = new AtomicLong();
        final AtomicLong overBound = new AtomicLong();
        final AtomicLong unretryable503 = new AtomicLong();
        final AtomicLong totalsRead = new AtomicLong();
        final List<String> wrongTotals = Collections.synchronizedList(new ArrayList<>());
        final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
        final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());

        void count(String what) {
            counts.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
        }

        void answered(long millis, long boundMillis) {
            maxAnswerMillis.accumulateAndGet(millis, Math::max);
            if (millis > boundMillis) {
                overBound.incrementAndGet();
            }
        }

        void unexpected(String what) {
            unexpected.add(what);
        }
    }

    private static final class Options {
        String baseUrl = "http://localhost:8091";
        String jdbcUrl = "jdbc:postgresql://localhost:5442/ledger_bank";
        String dbUser = "ledger";
        String dbPassword = "ledger";
        int accounts = 8;
        int clients = 64;
        int durationSeconds = 60;
        long seed = System.nanoTime();
        long initialBalance = 1_000;
        List<String> faults = List.of();
        String faultCommand = "load-tests/bank.sh fault";
        int warmupSeconds = 20;
        int faultIntervalSeconds = 15;
        /** statement_timeout (10 s) plus a margin for the commit: see docs/design.md, point-in-time. */
        int finalitySeconds = 12;
        int requestTimeoutSeconds = 30;
        /** ledger.database-timeout (15 s) plus a margin for the HTTP path. */
        int answerBoundSeconds = 17;
        int retrySeconds = 90;

        static Options parse(String[] args) {
            Options o = new Options();
            Set<String> seen = new HashSet<>();
            for (String arg : args) {
                String[] pair = arg.replaceFirst("^--", "").split("=", 2);
                if (pair.length != 2 || !seen.add(pair[0])) {
                    throw new IllegalArgumentException("expected --name=value once each: " + arg);
                }
                String v = pair[1];
                switch (pair[0]) {
                    case "base-url" -> o.baseUrl = v;
                    case "jdbc-url" -> o.jdbcUrl = v;
                    case "db-user" -> o.dbUser = v;
                    case "db-password" -> o.dbPassword = v;
                    case "accounts" -> o.accounts = Integer.parseInt(v);
                    case "clients" -> o.clients = Integer.parseInt(v);
                    case "duration-seconds" -> o.durationSeconds = Integer.parseInt(v);
                    case "seed" -> o.seed = Long.parseLong(v);
                    case "initial-balance" -> o.initialBalance = Long.parseLong(v);
                    case "faults" -> o.faults = v.isBlank() ? List.of() : List.of(v.split(","));
                    case "fault-command" -> o.faultCommand = v;
                    case "warmup-seconds" -> o.warmupSeconds = Integer.parseInt(v);
                    case "fault-interval-seconds" -> o.faultIntervalSeconds = Integer.parseInt(v);
                    case "finality-seconds" -> o.finalitySeconds = Integer.parseInt(v);
                    case "request-timeout-seconds" -> o.requestTimeoutSeconds = Integer.parseInt(v);
                    case "answer-bound-seconds" -> o.answerBoundSeconds = Integer.parseInt(v);
                    case "retry-seconds" -> o.retrySeconds = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            if (o.accounts < 2) {
                throw new IllegalArgumentException("--accounts must be at least 2");
            }
            return o;
        }
    }
}
