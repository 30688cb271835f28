package dev.ledger.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ReDoc and Swagger UI as a person sees them: headless Chromium renders each page from the
 * packaged app, and the rendered DOM must show the API's title and its operations.
 *
 * <p>No request may leave the machine: every host but localhost resolves to nothing and every
 * request that is not to loopback goes to a proxy that does not exist, so nothing can reach the
 * network, and the browser's network log must show that the page asked for nothing but this
 * service. Chromium is Debian's {@code chromium} package (or {@code CHROMIUM=/path}); without it
 * the test is skipped, except in CI ({@code CI=true}), where it fails.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedAppDatabase.class)
@EnabledIf(value = "chromiumFoundOrRequired", disabledReason = BrowserIT.NO_CHROMIUM)
class BrowserIT {

    static final String NO_CHROMIUM = "Skipping the browser test: no Chromium found (chromium, chromium-browser "
            + "or google-chrome on PATH, or CHROMIUM=/path). Install it with: apt-get install chromium";

    private static final Optional<String> CHROMIUM = findChromium();

    /** CI must run the test, and fails it without Chromium. Checked before the app is launched. */
    private static final boolean REQUIRED = "true".equals(System.getenv("CI"));

    /** Summaries of operations, which only the rendered page shows (the served HTML has none). */
    private static final List<String> OPERATIONS = List.of("Open an account", "Append a transfer",
            "The balance now, or at a past instant", "The account's transfers, newest first");

    /** The title as a heading, which ReDoc and Swagger UI render from the OpenAPI document. */
    private static final Pattern TITLE_HEADING = Pattern.compile("<h[12][^>]*>\\s*Ledger API");

    private static final long TIMEOUT_SECONDS = 120;

    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = {"/redoc", "/q/swagger-ui/"})
    void rendersTitleAndOperationsWithoutLeavingLocalhost(String path) throws Exception {
        String chromium = CHROMIUM.orElseThrow(() -> new AssertionError(
                "CI=true requires the browser test, and no Chromium was found: install Debian's chromium package"));
        String origin = "http://localhost:" + RestAssured.port;
        Path dom = work.resolve("dom.html");
        Path netLog = work.resolve("netlog.json");
        Process browser = new ProcessBuilder(chromium,
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
                "--proxy-server=127.0.0.1:9",
                "--user-data-dir=" + work.resolve("profile"),
                "--log-net-log=" + netLog,
                // Virtual time runs only while no request is pending: scripts finish rendering.
                "--virtual-time-budget=15000",
                "--dump-dom", origin + path)
                .redirectOutput(dom.toFile())
                .redirectError(work.resolve("chromium.log").toFile())
                .start();
        if (!browser.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            browser.destroyForcibly();
            fail("Chromium did not finish within " + TIMEOUT_SECONDS + " s");
        }
        if (browser.exitValue() != 0) {
            fail("Chromium exited with " + browser.exitValue() + ": " + read(work.resolve("chromium.log")));
        }

        String rendered = read(dom);
        assertTrue(TITLE_HEADING.matcher(rendered).find(), () -> path + " shows no 'Ledger API' heading:\n" + rendered);
        for (String operation : OPERATIONS) {
            assertTrue(rendered.contains(operation), () -> path + " does not show the operation '" + operation + "'");
        }

        List<URI> requested = requestsMadeByPages(netLog);
        assertTrue(requested.stream().anyMatch(uri -> uri.getPath().equals("/q/openapi")),
                () -> "the network log lacks the page's own requests: " + requested);
        List<URI> elsewhere = requested.stream().filter(uri -> !"localhost".equals(uri.getHost())).toList();
        assertTrue(elsewhere.isEmpty(), () -> path + " asked for more than this service: " + elsewhere);
    }

    /**
     * Requests made on behalf of a page carry the page's origin as initiator; Chromium's own
     * (updates, sign-in), which the flags above keep off the network, carry none.
     */
    private static List<URI> requestsMadeByPages(Path netLog) throws IOException {
        JsonNode log = new ObjectMapper().readTree(netLog.toFile());
        int startJob = log.path("constants").path("logEventTypes").path("URL_REQUEST_START_JOB").asInt(-1);
        List<URI> requests = new ArrayList<>();
        for (JsonNode event : log.path("events")) {
            JsonNode params = event.path("params");
            String initiator = params.path("initiator").asText("");
            if (event.path("type").asInt() == startJob && initiator.contains("://")) {
                requests.add(URI.create(params.path("url").asText()));
            }
        }
        return requests;
    }

    static boolean chromiumFoundOrRequired() {
        if (CHROMIUM.isPresent() || REQUIRED) {
            return true;
        }
        // Maven's summary counts skipped tests but shows no reason: say it where users look.
        System.err.println(NO_CHROMIUM);
        return false;
    }

    private static Optional<String> findChromium() {
        return Optional.ofNullable(System.getenv("CHROMIUM")).filter(path -> !path.isBlank())
                .or(() -> Stream.of("chromium", "chromium-browser", "google-chrome").map(BrowserIT::onPath)
                        .flatMap(Optional::stream).findFirst());
    }

    private static Optional<String> onPath(String name) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .map(Path::toString)
                .findFirst();
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
