package dev.ledger;

import static dev.ledger.problem.ProblemType.ACCOUNT_NOT_FOUND;
import static dev.ledger.problem.ProblemType.CURRENCY_MISMATCH;
import static dev.ledger.problem.ProblemType.IDEMPOTENCY_CONFLICT;
import static dev.ledger.problem.ProblemType.INDEX_CONFLICT;
import static dev.ledger.problem.ProblemType.INSUFFICIENT_FUNDS;
import static dev.ledger.problem.ProblemType.METHOD_NOT_ALLOWED;
import static dev.ledger.problem.ProblemType.NAME_TAKEN;
import static dev.ledger.problem.ProblemType.NOT_ACCEPTABLE;
import static dev.ledger.problem.ProblemType.NOT_FOUND;
import static dev.ledger.problem.ProblemType.PAYLOAD_TOO_LARGE;
import static dev.ledger.problem.ProblemType.UNSUPPORTED_MEDIA_TYPE;
import static dev.ledger.problem.ProblemType.VALIDATION;

import dev.ledger.RawHttp.Request;
import dev.ledger.problem.ProblemType;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The hostile-input specification: every request here is malformed, hostile or refused, and must
 * be answered with exactly the stated status (never a 5xx) while the database stays unchanged.
 * Each case differs from a valid request (the templates below) in one way only, which its name
 * says, so that a failure points at one rule.
 */
final class HostileCases {

    /** The answer a case must get; {@code allow}, the Allow header of a 405, is null for any other. */
    record Expect(int status, ProblemType type, boolean body, Set<String> allow) {

        /** An application/problem+json body of this type. */
        static Expect problem(ProblemType type) {
            return new Expect(type.status(), type, true, null);
        }

        /** HEAD: the problem's status and Content-Type, without a body. */
        static Expect problemHead(ProblemType type) {
            return new Expect(type.status(), type, false, null);
        }

        /** 405, with the methods the path takes in Allow (RFC 9110, section 15.5.6). */
        static Expect notAllowed(Set<String> allow) {
            return new Expect(METHOD_NOT_ALLOWED.status(), METHOD_NOT_ALLOWED, true, allow);
        }

        /** HEAD: the 405 and its Allow, without a body. */
        static Expect notAllowedHead(Set<String> allow) {
            return new Expect(METHOD_NOT_ALLOWED.status(), METHOD_NOT_ALLOWED, false, allow);
        }

        /**
         * Refused before any route: by Vert.x' HTTP decoder (malformed or oversized request line
         * and headers) or by Quarkus for a target that is not an RFC 3986 URI. Quarkus offers no
         * hook there, so these answers have the right status but no body (README, "Limits").
         */
        static Expect beforeRouting(int status) {
            return new Expect(status, null, false, null);
        }
    }

    record Case(String group, String name, Request request, Expect expect) {
    }

    /** A valid request and the status it must get. */
    record Template(Request request, int status) {
    }

    /** Accounts that exist before the cases run; the templates refer to them. */
    record Fixture(String currency, UUID alice, UUID bob, UUID issuer, UUID foreign, String takenKeyName) {
    }

    // ---- bad values, by what the field holds ------------------------------------------------------

    static final String UUID_TEXT = "0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60";

    /** quarkus.http.limits.max-body-size. */
    static final int MAX_BODY_SIZE = 65_536;

    static final List<String> SQL_INJECTIONS = List.of(
            "' OR '1'='1",
            "'; DROP TABLE transfer; --",
            "\"; DELETE FROM account; --",
            "1); TRUNCATE transfer CASCADE; --",
            "$$; DROP TABLE account; $$",
            "' UNION SELECT id::text FROM account --",
            "'; COPY account TO '/tmp/leak'; --",
            "'||pg_sleep(5)||'",
            "\\'; UPDATE transfer SET amount = 0; --",
            "%' AND 1=1 --");

    /** Not a UUID in canonical 8-4-4-4-12 hex form (JSON fragments). */
    static final List<String> NOT_UUIDS = withInjections(List.of(
            q(""), q("nope"), q("0"), q(UUID_TEXT.substring(1)), q(UUID_TEXT + "0"),
            q(UUID_TEXT.replace("-", "")), q("{" + UUID_TEXT + "}"), q("urn:uuid:" + UUID_TEXT),
            q(UUID_TEXT.replace('f', 'g')), q(UUID_TEXT.replace('-', '_')), q(" " + UUID_TEXT), q(UUID_TEXT + "\\n"),
            // 36 characters with a sign, which UUID.fromString takes.
            q("+" + UUID_TEXT.substring(1)),
            q("AZOhwnseeM2fChssPU5fYA=="),
            q("\uff10193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f6"),
            "12", "1.5", "true", "{}", "[]", "[" + q(UUID_TEXT) + "]", "{\"id\":" + q(UUID_TEXT) + "}"));

    static final List<String> NOT_CURRENCIES = withInjections(List.of(
            q(""), q("eur"), q("E"), q("EURO_TOO_LONG_CODE"), q("1EU"), q("_EU"), q("EU R"), q("EUR "),
            q("EUR\\n"), q("\\u00c9UR"), q("\uff25\uff35\uff32"), q("EUR\\u0000"), q("EUR\\u200b"),
            "12", "true", "{}", "[]", "[\"EUR\"]", "null"));

    static final List<String> NOT_KINDS = List.of(
            q("savings"), q("REGULAR"), q("Regular"), q(""), q("regular "), q("issuer\\u0000"), q("default issuer"),
            "0", "1", "true", "{}", "[]", "[\"issuer\"]", q("' OR kind = 'issuer"));

    /** Not a JSON integer that fits 64 bits, whatever the range the field allows. */
    static final List<String> NOT_INT64 = List.of(
            "1.5", "1.0", "0.5", "10.00", "1e3", "1E3", "1e-3", "10e0", "-1.5",
            q("10"), q("1"), q(""), q("ten"), "true", "false", "{}", "[]", "[10]",
            // Blank strings, which Jackson reads as an absent number unless told otherwise.
            q(" "), q("\\t"), q("\\n"), q("\\u0000"), q("\\u001f"), q(" 1"),
            "9223372036854775808", "-9223372036854775809", "18446744073709551616", "1e400",
            "123456789012345678901234567890", "9".repeat(900),
            "NaN", "Infinity", "-Infinity", "0x10", "010", "+1", ".5", "1.", "1_000", "--1");

    static final List<String> NOT_POSITIVE = List.of("0", "-0", "-1", "-9223372036854775808");

    static final List<String> NOT_METADATA = List.of(
            q("note"), "1", "true", "[]", "[1,2]", "[{\"k\":\"v\"}]",
            "{\"big\":" + q("x".repeat(5000)) + "}",
            "{\"big\":" + q("\\u00e9".repeat(2100)) + "}",
            "{\"k\":\"nul\\u0000\"}", "{\"nul\\u0000\":1}",
            "{\"k\":1,\"k\":2}", "{\"k\":{\"x\":1,\"x\":1}}",
            "{\"k\":\"\\ud800\"}", "{\"\\udc00\":1}",
            // Numbers whose digits, written out as PostgreSQL prints them, exceed what the service reads back.
            "{\"n\":1e1000}", "{\"n\":-1e-1000}", "{\"n\":1e2147483648}",
            nested(40));

    static final List<String> NOT_DESCRIPTIONS = List.of(
            q("x".repeat(513)), q("\\u00e9".repeat(513)), q("\\ud83d\\ude00".repeat(513)),
            "1", "true", "{}", "[]", "[\"rent\"]",
            q("nul\\u0000"), q("bell\\u0007"), q("\\u001b[31mred"), q("line\\r\\nX-Injected: 1"), q("tab\\there"),
            q("del\\u007f"), q("c1\\u0085"), q("\\ud800"), q("\\udc00 low"), q("\\ud83d"));

    /** Outside ^[a-z0-9][a-z0-9._-]{0,62}$, which the service and the schema both check. */
    static final List<String> NOT_KEY_NAMES = withInjections(List.of(
            q(""), q("Payments"), q("PAYMENTS"), q("-lead"), q(".lead"), q("_lead"), q("k".repeat(64)),
            q("k".repeat(1_000)), q("two words"), q(" payments"), q("payments "), q("payments\\n"), q("\\npayments"),
            q("tab\\there"), q("nul\\u0000"), q("bell\\u0007"), q("\\u001b[31mred"), q("del\\u007f"), q("c1\\u0085"),
            q("caf\u00e9"), q("\u0430dmin"), q("\uff41dmin"), q("i\\u0307"), q("pay\\u200bments"), q("\\ud800"),
            q("a/b"), q("../admin"), q("a:b"), q("a@b"), q("a*"), q("%"), q("payments;admin"),
            "12", "1.5", "true", "false", "{}", "[]", "[\"payments\"]", "null"));

    static final List<String> NOT_SCOPES = withInjections(List.of(
            q("owner"), q("root"), q("superuser"), q("Admin"), q("ADMIN"), q("Read"), q("WRITE"), q("admin "), q(" read"),
            q(""), q("read,write"), q("read write"), q("admin\\u0000"), q("\u0430dmin"), q("\uff41dmin"), q("0"), q("2"),
            "0", "1", "2", "-1", "2.0", "true", "{}", "[]", "[\"admin\"]", "{\"scope\":\"admin\"}", "null"));

    /** JSON text of an object nested {@code depth} levels deep under one key. */
    static String nested(int depth) {
        return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
    }

    private static List<String> withInjections(List<String> values) {
        List<String> all = new ArrayList<>(values);
        SQL_INJECTIONS.forEach(injection -> all.add(text(injection)));
        return all;
    }

    // ---- the table --------------------------------------------------------------------------------

    private final Fixture f;
    private final List<Case> cases = new ArrayList<>();
    private final LinkedHashMap<String, String> account = new LinkedHashMap<>();
    private final LinkedHashMap<String, String> transfer = new LinkedHashMap<>();
    private final LinkedHashMap<String, String> apiKey = new LinkedHashMap<>();
    /** The transfer template unconditional and with an id of its own, so that it appends after it. */
    private final LinkedHashMap<String, String> batchItem;
    private final LinkedHashMap<String, String> batch;
    /** Each POST route's template, by path. */
    private final Map<String, LinkedHashMap<String, String>> bodies = new LinkedHashMap<>();
    private String group;

    private HostileCases(Fixture fixture) {
        this.f = fixture;
        account.put("id", q(UUID.randomUUID().toString()));
        account.put("currency", q(fixture.currency()));
        account.put("kind", q("regular"));
        account.put("initial_balance", "10");
        account.put("metadata", "{\"owner\":\"alice\"}");
        transfer.put("id", q(UUID.randomUUID().toString()));
        transfer.put("source", q(fixture.alice().toString()));
        transfer.put("destination", q(fixture.bob().toString()));
        transfer.put("amount", "10");
        transfer.put("expected_index", "1");
        transfer.put("description", q("café rent"));
        transfer.put("metadata", "{\"order\":1234}");
        apiKey.put("name", q("hostile-" + UUID.randomUUID().toString().substring(0, 8)));
        apiKey.put("scope", q("write"));
        bodies.put("/accounts", account);
        bodies.put("/transfers", transfer);
        batchItem = freshId(without(transfer, "expected_index"));
        batch = batchOf(batchItem);
        bodies.put("/api-keys", apiKey);
        bodies.put("/transfers/batch", batch);
    }

    static HostileCases of(Fixture fixture) {
        HostileCases table = new HostileCases(fixture);
        table.bodyFields();
        table.missingAndUnknownFields();
        table.brokenJson();
        table.truncatedJson();
        table.invalidUtf8();
        table.sizesAndDepth();
        table.contentTypes();
        table.acceptHeaders();
        table.methods();
        table.pathParameters();
        table.pathTraversalAndUnknownRoutes();
        table.queryParameters();
        table.headers();
        table.refusedByTheLedger();
        table.batches();
        return table;
    }

    List<Case> cases() {
        return cases;
    }

    /**
     * The valid requests the cases are variations of; the suite sends them last. The padded
     * account is the largest body the service must still take. A batch answers 200 whatever its
     * items' results, but only once every item passed validation.
     */
    List<Template> templates() {
        String largest = json(with(account, "id", q(UUID.randomUUID().toString())));
        return List.of(new Template(post("/accounts", json(account)), 201),
                new Template(post("/transfers", json(transfer)), 201), new Template(post("/api-keys", json(apiKey)), 201),
                new Template(post("/accounts", largest + " ".repeat(MAX_BODY_SIZE - largest.length())), 201),
                new Template(post("/transfers/batch", json(batch)), 200));
    }

    private void bodyFields() {
        group = "body field values";
        for (String value : NOT_UUIDS) {
            field("/accounts", account, "id", value);
            for (String field : List.of("id", "source", "destination")) {
                field("/transfers", transfer, field, value);
            }
        }
        for (String field : List.of("source", "destination", "amount")) {
            field("/transfers", transfer, field, "null");
        }
        NOT_CURRENCIES.forEach(value -> field("/accounts", account, "currency", value));
        NOT_KINDS.forEach(value -> field("/accounts", account, "kind", value));
        for (String value : NOT_INT64) {
            field("/accounts", account, "initial_balance", value);
            field("/transfers", transfer, "amount", value);
            field("/transfers", transfer, "expected_index", value);
        }
        field("/accounts", account, "initial_balance", "-1");
        field("/accounts", account, "initial_balance", "-9223372036854775808");
        for (String value : NOT_POSITIVE) {
            field("/transfers", transfer, "amount", value);
            field("/transfers", transfer, "expected_index", value);
        }
        for (String value : NOT_METADATA) {
            field("/accounts", account, "metadata", value);
            field("/transfers", transfer, "metadata", value);
        }
        NOT_DESCRIPTIONS.forEach(value -> field("/transfers", transfer, "description", value));
        NOT_KEY_NAMES.forEach(value -> field("/api-keys", apiKey, "name", value));
        NOT_SCOPES.forEach(value -> field("/api-keys", apiKey, "scope", value));
    }

    private void missingAndUnknownFields() {
        group = "missing and unknown fields";
        missing("/accounts", account, "currency");
        for (String field : List.of("source", "destination", "amount")) {
            missing("/transfers", transfer, field);
        }
        for (String unknown : List.of("colour", "Currency", "currency ", "initialBalance", "balance", "transfer_count",
                "created_at", "is_default_issuer", "__proto__", "constructor", "", "\\u0000")) {
            unknown("/accounts", account, unknown);
        }
        for (String unknown : List.of("colour", "Amount", "amount ", "expectedIndex", "index", "currency",
                "source_balance_after", "created_at", "credit_lane", "source_debited", "__proto__", "", "\\u0000")) {
            unknown("/transfers", transfer, unknown);
        }
        for (String field : List.of("currency", "kind", "initial_balance", "id")) {
            twice("/accounts", account, field);
        }
        for (String field : List.of("amount", "source", "destination", "id", "description")) {
            twice("/transfers", transfer, field);
        }
        for (String field : List.of("name", "scope")) {
            missing("/api-keys", apiKey, field);
            twice("/api-keys", apiKey, field);
        }
        for (String unknown : List.of("key", "id", "key_hash", "created_at", "revoked_at", "Name", "name ", "scopes",
                "role", "admin", "__proto__", "", "\\u0000")) {
            unknown("/api-keys", apiKey, unknown);
        }
        add("POST /api-keys {}", post("/api-keys", "{}"), Expect.problem(VALIDATION));
        add("POST /accounts {}", post("/accounts", "{}"), Expect.problem(VALIDATION));
        add("POST /transfers {}", post("/transfers", "{}"), Expect.problem(VALIDATION));
    }

    private void brokenJson() {
        group = "broken JSON";
        for (String path : bodies.keySet()) {
            String valid = json(bodies.get(path));
            String inner = valid.substring(1, valid.length() - 1);
            Map<String, String> broken = new LinkedHashMap<>();
            broken.put("an extra closing brace", valid + "}");
            broken.put("a second document", valid + " {}");
            broken.put("the document twice", valid + valid);
            broken.put("trailing garbage", valid + "x");
            broken.put("a trailing comma", "{" + inner + ",}");
            broken.put("a leading comma", "{," + inner + "}");
            broken.put("a doubled comma", valid.replaceFirst(",", ",,"));
            broken.put("a missing comma", valid.replaceFirst(",", " "));
            broken.put("a missing colon", valid.replaceFirst(":", " "));
            broken.put("a missing value", valid.replaceFirst(":[^,]*,", ":,"));
            broken.put("a key without value", "{\"lonely\"," + inner + "}");
            broken.put("single quotes", valid.replace('"', '\''));
            broken.put("unquoted keys", valid.replaceAll("\"([a-z_]+)\":", "$1:"));
            broken.put("a block comment", "/* note */" + valid);
            broken.put("a line comment", "{" + inner + "// note\n}");
            broken.put("a hash comment", "# note\n" + valid);
            broken.put("an unknown escape", valid.replaceFirst("\",", "\\\\x41\","));
            broken.put("a short unicode escape", valid.replaceFirst("\",", "\\\\u12\","));
            broken.put("a raw tab in a string", valid.replaceFirst("\",", "\t\","));
            broken.put("a raw newline in a string", valid.replaceFirst("\",", "\n\","));
            broken.put("an unterminated string", valid.replaceFirst("\",.*", ""));
            broken.put("an unopened object", inner + "}");
            broken.put("an extra opening brace", "{" + valid);
            broken.put("the object in an array", "[" + valid + "]");
            broken.put("an array", "[]");
            broken.put("a string", q("EUR"));
            broken.put("a number", "42");
            broken.put("true", "true");
            broken.put("null", "null");
            broken.put("an empty body", "");
            broken.put("whitespace only", " \r\n\t ");
            broken.put("a byte order mark only", "\ufeff");
            broken.put("form encoding", "currency=EUR&amount=10");
            broken.put("XML", "<transfer amount=\"10\"/>");
            broken.forEach((name, body) -> add("POST " + path + " with " + name, post(path, body),
                    Expect.problem(VALIDATION)));
        }
    }

    /** Every proper prefix of each valid body: a client or proxy cut it anywhere. */
    private void truncatedJson() {
        group = "truncated JSON";
        for (String path : bodies.keySet()) {
            byte[] valid = json(bodies.get(path)).getBytes(StandardCharsets.UTF_8);
            for (int length = 1; length < valid.length; length++) {
                byte[] prefix = java.util.Arrays.copyOf(valid, length);
                add("POST " + path + " cut after " + length + " of " + valid.length + " bytes",
                        post(path, prefix), Expect.problem(VALIDATION));
            }
        }
    }

    /** Bytes that are not UTF-8, spliced into each place of a body where text goes. */
    private void invalidUtf8() {
        group = "invalid UTF-8";
        Map<String, byte[]> sequences = new LinkedHashMap<>();
        sequences.put("0xFF", bytes(0xFF));
        sequences.put("0xFE", bytes(0xFE));
        sequences.put("a lone continuation byte", bytes(0x80));
        sequences.put("an overlong NUL", bytes(0xC0, 0x80));
        sequences.put("an overlong slash", bytes(0xE0, 0x80, 0xAF));
        sequences.put("a cut two-byte sequence", bytes(0xC3));
        sequences.put("a cut three-byte sequence", bytes(0xE2, 0x82));
        sequences.put("an encoded surrogate", bytes(0xED, 0xA0, 0x80));
        sequences.put("a code point above U+10FFFF", bytes(0xF4, 0x90, 0x80, 0x80));
        sequences.put("a five-byte sequence", bytes(0xF8, 0x88, 0x80, 0x80, 0x80));
        String marker = "\u0001MARK\u0001";
        Map<String, byte[]> places = new LinkedHashMap<>();
        places.put("POST /accounts currency", post("/accounts", json(with(account, "currency", q("EU" + marker)))).body());
        places.put("POST /accounts metadata value", post("/accounts",
                json(with(account, "metadata", "{\"owner\":" + q(marker) + "}"))).body());
        places.put("POST /accounts metadata key", post("/accounts",
                json(with(account, "metadata", "{" + q(marker) + ":1}"))).body());
        places.put("POST /accounts field name", post("/accounts", json(with(account, "kind" + marker, q("x")))).body());
        places.put("POST /transfers description", post("/transfers",
                json(with(transfer, "description", q("rent " + marker)))).body());
        places.put("POST /transfers metadata value", post("/transfers",
                json(with(transfer, "metadata", "{\"order\":" + q(marker) + "}"))).body());
        places.put("POST /transfers metadata key", post("/transfers",
                json(with(transfer, "metadata", "{" + q(marker) + ":1}"))).body());
        places.put("POST /transfers id", post("/transfers", json(with(transfer, "id", q(marker)))).body());
        places.put("POST /transfers between tokens", post("/transfers",
                json(transfer).replaceFirst(",", "," + marker)).body());
        places.put("POST /api-keys name", post("/api-keys", json(with(apiKey, "name", q("pay" + marker)))).body());
        places.put("POST /api-keys scope", post("/api-keys", json(with(apiKey, "scope", q("admin" + marker)))).body());
        places.put("POST /api-keys field name", post("/api-keys", json(with(apiKey, "scope" + marker, q("x")))).body());
        places.forEach((place, body) -> sequences.forEach((name, sequence) -> {
            String path = place.split(" ")[1];
            add(place + " with " + name, post(path, splice(body, marker, sequence)), Expect.problem(VALIDATION));
        }));
        // Jackson detects UTF-16 and UTF-32 by their NUL bytes, which UTF-8 JSON never holds.
        for (String path : bodies.keySet()) {
            for (String charset : List.of("UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE")) {
                add("POST " + path + " in " + charset, post(path, json(bodies.get(path))
                        .getBytes(java.nio.charset.Charset.forName(charset))), Expect.problem(VALIDATION));
            }
        }
    }

    private void sizesAndDepth() {
        group = "sizes and depth";
        for (String path : bodies.keySet()) {
            String valid = json(bodies.get(path));
            add("POST " + path + " padded one byte past 64 KiB", post(path, valid + " ".repeat(MAX_BODY_SIZE + 1 - valid.length())),
                    Expect.problem(PAYLOAD_TOO_LARGE));
            add("POST " + path + " of 1 MiB", post(path, valid + " ".repeat(1 << 20)), Expect.problem(PAYLOAD_TOO_LARGE));
            add("POST " + path + " declaring Content-Length 10^12", Request.of("POST", path)
                    .header("Content-Type", "application/json").header("Content-Length", "1000000000000")
                    .body(valid.getBytes(StandardCharsets.UTF_8)), Expect.problem(PAYLOAD_TOO_LARGE));
            add("POST " + path + " chunked past 64 KiB", Request.of("POST", path)
                    .header("Content-Type", "application/json").header("Transfer-Encoding", "chunked")
                    .body(chunked(valid + " ".repeat(70_000))), Expect.problem(PAYLOAD_TOO_LARGE));
            add("POST " + path + " nested 10,000 arrays deep", post(path, "[".repeat(10_000) + "]".repeat(10_000)),
                    Expect.problem(VALIDATION));
            add("POST " + path + " with a 60 KB field name", post(path, json(with(bodies.get(path), "k".repeat(60_000), "1"))),
                    Expect.problem(VALIDATION));
        }
        add("POST /accounts with a 20,000-digit number", post("/accounts",
                json(with(account, "initial_balance", "7".repeat(20_000)))), Expect.problem(VALIDATION));
        add("POST /transfers with a 20,000-digit number", post("/transfers",
                json(with(transfer, "amount", "7".repeat(20_000)))), Expect.problem(VALIDATION));
        add("POST /api-keys name of 60,000 characters", post("/api-keys",
                json(with(apiKey, "name", q("n".repeat(60_000))))), Expect.problem(VALIDATION));
        // The body is one level: metadata nested 32 deep makes 33, one past ledger.json.max-nesting-depth.
        for (int depth : List.of(32, 33, 1_000, 5_000)) {
            add("POST /accounts metadata nested " + depth + " deep", post("/accounts",
                    json(with(account, "metadata", nested(depth)))), Expect.problem(VALIDATION));
            add("POST /transfers metadata nested " + depth + " deep", post("/transfers",
                    json(with(transfer, "metadata", nested(depth)))), Expect.problem(VALIDATION));
        }
        add("POST /transfers metadata arrays nested 31 deep", post("/transfers", json(with(transfer, "metadata",
                "{\"a\":" + "[".repeat(31) + "]".repeat(31) + "}"))), Expect.problem(VALIDATION));
        add("POST /transfers description of 60,000 characters", post("/transfers",
                json(with(transfer, "description", q("d".repeat(60_000))))), Expect.problem(VALIDATION));
        add("POST /transfers metadata of 60 KB", post("/transfers", json(with(transfer, "metadata",
                "{\"k\":" + q("m".repeat(60_000)) + "}"))), Expect.problem(VALIDATION));
        add("POST /accounts metadata of 4,097 bytes", post("/accounts", json(with(account, "metadata",
                "{\"k\":" + q("m".repeat(4_097 - 8)) + "}"))), Expect.problem(VALIDATION));
        add("POST /accounts metadata with 2,000 keys", post("/accounts", json(with(account, "metadata",
                manyKeys(2_000)))), Expect.problem(VALIDATION));
    }

    private void contentTypes() {
        group = "content types";
        List<String> unsupported = List.of("text/plain", "text/json", "text/html", "application/xml", "text/xml",
                "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream",
                "application/problem+json", "application/merge-patch+json", "application/json-patch+json",
                "application/x-ndjson", "application/javascript", "image/png", "application/jsonx",
                "application/json; charset=utf-16", "application/json; charset=UTF-16LE",
                "application/json; charset=iso-8859-1", "application/json; charset=windows-1252",
                "application/json; charset=nope", "application/json; charset=\"\"",
                "application/json; charset=utf-8; charset=latin1");
        for (String path : bodies.keySet()) {
            byte[] valid = json(bodies.get(path)).getBytes(StandardCharsets.UTF_8);
            for (String type : unsupported) {
                add("POST " + path + " as " + type, Request.of("POST", path).header("Content-Type", type).body(valid),
                        Expect.problem(UNSUPPORTED_MEDIA_TYPE));
            }
            add("POST " + path + " without Content-Type", Request.of("POST", path).body(valid),
                    Expect.problem(UNSUPPORTED_MEDIA_TYPE));
            for (String malformed : List.of("", "json", "application", "application/", "/json", ";;;",
                    "application/json, text/plain", "application/json; =x", "app lication/json")) {
                add("POST " + path + " with malformed Content-Type '" + malformed + "'",
                        Request.of("POST", path).header("Content-Type", malformed).body(valid),
                        Expect.problem(UNSUPPORTED_MEDIA_TYPE));
            }
            for (String coding : List.of("gzip", "deflate", "br", "identity, gzip")) {
                add("POST " + path + " with Content-Encoding " + coding, post(path, valid)
                        .header("Content-Encoding", coding), Expect.problem(UNSUPPORTED_MEDIA_TYPE));
            }
        }
    }

    private void acceptHeaders() {
        group = "Accept";
        List<String> unacceptable = List.of("application/xml", "text/html", "text/plain", "text/*", "image/png",
                "application/problem+xml", "application/json;q=0", "*/*;q=0", "image/png, */*;q=0",
                "application/json; q=0.0, text/html", "application/*;q=0.5, application/json;q=0",
                "application/x-junk-0, " + String.join(", ", java.util.Collections.nCopies(800, "application/x-junk")));
        for (Request route : validRequests()) {
            for (String accept : unacceptable) {
                add(route.method() + " " + route.target() + " accepting " + abbreviate(accept),
                        route.header("Accept", accept), Expect.problem(NOT_ACCEPTABLE));
            }
        }
    }

    private void methods() {
        group = "methods";
        List<String> all = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "FOO", "get");
        Set<String> covered = new HashSet<>();
        for (Request route : validRequests()) {
            // /api-keys is the one path with two methods: each is the other's valid request, and
            // its wrong methods are sent once, with the POST's body.
            if (!covered.add(route.target())) {
                continue;
            }
            Set<String> allowed = route.target().equals("/api-keys") ? Set.of("GET", "POST") : Set.of(route.method());
            Set<String> allow = allowHeader(allowed);
            for (String method : all) {
                if (allowed.contains(method)) {
                    continue;
                }
                add(method + " " + route.target(), new Request(method, route.target(), route.headers(), route.body()),
                        Expect.notAllowed(allow));
            }
            if (!allowed.contains("GET")) {
                add("HEAD " + route.target(), Request.of("HEAD", route.target()), Expect.notAllowedHead(allow));
            }
        }
        add("HEAD /accounts/nope", Request.of("HEAD", "/accounts/nope"), Expect.problemHead(VALIDATION));
        add("HEAD /transfers/" + UUID_TEXT, Request.of("HEAD", "/transfers/" + UUID_TEXT), Expect.problemHead(NOT_FOUND));
    }

    private void pathParameters() {
        group = "path parameters";
        List<String> notUuids = new ArrayList<>(List.of("nope", "0", UUID_TEXT.substring(1), UUID_TEXT + "0",
                UUID_TEXT.replace("-", ""), "%7B" + UUID_TEXT + "%7D", "urn:uuid:" + UUID_TEXT,
                UUID_TEXT.replace('f', 'g'), UUID_TEXT.replace('-', '_'), "%20" + UUID_TEXT, UUID_TEXT + "%20",
                UUID_TEXT + "%00", "%2B" + UUID_TEXT.substring(1), "AZOhwnseeM2fChssPU5fYA==", "%E2%80%AE" + UUID_TEXT, "%EF%BC%90" + UUID_TEXT.substring(1),
                "%FF" + UUID_TEXT.substring(1), "x".repeat(3_000), UUID_TEXT + ";jsessionid=1"));
        SQL_INJECTIONS.forEach(injection -> notUuids.add(encode(injection)));
        for (String value : notUuids) {
            for (String route : List.of("/accounts/%s", "/accounts/%s/balance", "/accounts/%s/transfers",
                    "/accounts/%s/transfers/1", "/transfers/%s")) {
                add("GET " + route.formatted(abbreviate(value)), Request.of("GET", route.formatted(value)),
                        Expect.problem(VALIDATION));
            }
        }
        for (String index : List.of("0", "-1", "1.5", "one", "9223372036854775808", "1e3", "0x1", "%201", "1%20",
                "+1", "%D9%A1", "00000000000000000000001", "1%00", encode("1; DROP TABLE transfer"), "9".repeat(3_000))) {
            add("GET /accounts/{issuer}/transfers/" + abbreviate(index),
                    Request.of("GET", "/accounts/" + f.issuer() + "/transfers/" + index), Expect.problem(VALIDATION));
        }
        notUuids.forEach(value -> add("DELETE /api-keys/" + abbreviate(value),
                Request.of("DELETE", "/api-keys/" + value), Expect.problem(VALIDATION)));
        add("DELETE /api-keys/{5,000 characters}", Request.of("DELETE", "/api-keys/" + "x".repeat(5_000)),
                Expect.beforeRouting(414));
        add("GET /accounts/{5,000 characters}", Request.of("GET", "/accounts/" + "x".repeat(5_000)), Expect.beforeRouting(414));
    }

    private void pathTraversalAndUnknownRoutes() {
        group = "path traversal and unknown routes";
        String alice = f.alice().toString();
        // Dot segments are resolved before routing; what remains lands in a UUID parameter.
        List<String> reachAUuidParameter = List.of("/accounts/../transfers/nope", "/accounts/%2e%2e/transfers/nope",
                "/accounts/..%2ftransfers%2fnope", "/accounts/..%2f..%2f..%2fetc%2fpasswd",
                "/accounts/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/accounts/%252e%252e%252fetc%252fpasswd",
                "/accounts/..%5c..%5cwindows%5cwin.ini", "/accounts/..;/transfers/nope", "/accounts/%c0%ae%c0%ae/transfers",
                "/accounts/" + alice + "%2fbalance", "/accounts/%2f" + alice, "/accounts/%00",
                "http://localhost/accounts/nope");
        List<String> matchNoRoute = List.of("/accounts/" + alice + "/..%2f..%2f..%2fetc%2fpasswd",
                "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/webjars/redoc/2.1.4/../../../../../../etc/passwd",
                "/webjars/..%2f..%2f..%2fpom.xml", "/q/../../application.properties", "/application.properties",
                "/db/migration/V1__ledger.sql", "/WEB-INF/web.xml", "/accounts/" + alice + "/nope",
                "/accounts/" + alice + "/transfers/1/extra", "/transfers/" + alice + "/extra", "/Accounts/" + alice,
                "/TRANSFERS/" + alice, "/accounts%2f" + alice, "/nowhere", "/accounts/" + alice + "/balance/..%00",
                "accounts/nope", "*");
        // Not RFC 3986 URIs at all.
        String balance = "/accounts/" + alice + "/balance";
        List<String> notUris = List.of("/accounts/%", "/accounts/%zz", balance + "?at=%ZZ", balance + "?at=2026|x",
                "/accounts/" + alice + "/transfers?limit=%", "/accounts/" + alice + "/transfers?cursor=%E2%82%",
                "/accounts/[" + alice + "]", "/accounts/" + alice + "#x#y", "/accounts/\\..\\transfers");
        reachAUuidParameter.forEach(target -> add("GET " + target, Request.of("GET", target), Expect.problem(VALIDATION)));
        matchNoRoute.forEach(target -> add("GET " + target, Request.of("GET", target), Expect.problem(NOT_FOUND)));
        notUris.forEach(target -> add("GET " + target, Request.of("GET", target), Expect.beforeRouting(400)));
    }

    private void queryParameters() {
        group = "query parameters";
        String balance = "/accounts/" + f.alice() + "/balance";
        String list = "/accounts/" + f.alice() + "/transfers";
        List<String> notInstants = new ArrayList<>(List.of("yesterday", "now", "", "2026-13-01T00:00:00Z",
                "2026-02-30T00:00:00Z", "2026-01-01T00:00:00", "2026-01-01", "1700000000", "-5000-01-01T00:00:00Z",
                "%2B300000-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "2026-01-01T25:00:00Z",
                "2026-01-01T00:00:00%2B25:00", "2026-01-01T00:00:00.1234567890Z", "2026-01-01%2000:00:00Z",
                // Years 1 and 9999 where written, years 0 and 10000 as instants.
                "0001-01-01T00:00:00%2B18:00", "9999-12-31T23:00:00-05:00",
                "P1D", "2026-W01-1T00:00:00Z", "2026-01-01T00:00:00Z%00", "x".repeat(3_000)));
        SQL_INJECTIONS.forEach(injection -> notInstants.add(encode("2026-01-01T00:00:00Z" + injection)));
        notInstants.forEach(at -> add("GET balance?at=" + abbreviate(at), Request.of("GET", balance + "?at=" + at),
                Expect.problem(VALIDATION)));

        List<String> notLimits = List.of("0", "-1", "1001", "1.5", "ten", "2147483648", "99999999999999999999", "",
                "1e2", "%205", "5%20", "%2B5", "%D9%A5", "0x10", encode("5' OR 1=1"), "9".repeat(3_000));
        notLimits.forEach(limit -> add("GET transfers?limit=" + abbreviate(limit),
                Request.of("GET", list + "?limit=" + limit), Expect.problem(VALIDATION)));

        // A cursor names its list after the position: this list is alice's, all directions.
        String ofThisList = "," + f.alice() + ",all";
        List<String> notCursors = new ArrayList<>(List.of("!!!", "", "bm90LWEtY3Vyc29y", "%FF", "A".repeat(3_000),
                cursor("9223372036854775807," + UUID_TEXT + ",1" + ofThisList),
                cursor("-9223372036854775808," + UUID_TEXT + ",1" + ofThisList), cursor("-1," + UUID_TEXT + ",1" + ofThisList),
                cursor("0," + UUID_TEXT + ",0" + ofThisList), cursor("0," + UUID_TEXT + ",-1" + ofThisList),
                cursor("0,nope,1" + ofThisList), cursor("0," + UUID_TEXT + ",1" + ofThisList + ",extra"),
                cursor("0," + UUID_TEXT + ",1"), cursor("0," + UUID_TEXT + ofThisList),
                cursor("1e3," + UUID_TEXT + ",1" + ofThisList), cursor("0," + UUID_TEXT + ",9223372036854775808" + ofThisList),
                cursor("%2B0," + UUID_TEXT + ",1" + ofThisList), cursor(",,,,"), cursor("0," + UUID_TEXT + ",١" + ofThisList),
                cursor("0," + UUID_TEXT + ",1,nope,all"), cursor("0," + UUID_TEXT + ",1" + ofThisList.toUpperCase()),
                cursor("0," + UUID_TEXT + ",1," + f.alice() + ",sideways"),
                cursor("0," + UUID_TEXT + ",1," + f.alice() + ",ALL"),
                // Well formed, but another list's: another account, another direction.
                cursor("0," + UUID_TEXT + ",1," + f.bob() + ",all"), cursor("0," + UUID_TEXT + ",1," + f.alice() + ",in"),
                Base64.getUrlEncoder().encodeToString(bytes(0xFF, 0xFE, 0x2C, 0x2C))));
        SQL_INJECTIONS.forEach(injection -> {
            notCursors.add(encode(injection));
            notCursors.add(cursor("0," + UUID_TEXT + ",1" + ofThisList + injection));
        });
        notCursors.forEach(cursor -> add("GET transfers?cursor=" + abbreviate(cursor),
                Request.of("GET", list + "?cursor=" + cursor), Expect.problem(VALIDATION)));

        List<String> notDirections = new ArrayList<>(List.of("sideways", "", "in%00", "in,out", "all%20", "%FF",
                "x".repeat(3_000), "i%CC%87n", "IN", "Out"));
        SQL_INJECTIONS.forEach(injection -> notDirections.add(encode(injection)));
        notDirections.forEach(direction -> add("GET transfers?direction=" + abbreviate(direction),
                Request.of("GET", list + "?direction=" + direction), Expect.problem(VALIDATION)));

        String alice = f.alice().toString();
        List<String> notAccountLists = new ArrayList<>(List.of("", ",", alice + ",", "," + alice, alice + ",,"
                + alice, alice + "%20", alice + ";" + f.bob(), "[" + alice + "]", "%22" + alice + "%22",
                alice.toUpperCase(Locale.ROOT).replace('-', '_'), alice + "," + UUID_TEXT.substring(1),
                (alice + ",").repeat(100) + alice, (alice + ",").repeat(3) + "%2B1-2-3-4-5", "x".repeat(3_000)));
        SQL_INJECTIONS.forEach(injection -> notAccountLists.add(alice + "," + encode(injection)));
        notAccountLists.forEach(ids -> add("GET /balances?account_ids=" + abbreviate(ids),
                Request.of("GET", "/balances?account_ids=" + ids), Expect.problem(VALIDATION)));
        String balances = "/balances?account_ids=" + alice;
        notInstants.forEach(at -> add("GET /balances?...&at=" + abbreviate(at),
                Request.of("GET", balances + "&at=" + at), Expect.problem(VALIDATION)));

        add("GET /balances (no account_ids)", Request.of("GET", "/balances"), Expect.problem(VALIDATION));
        add("GET /balances?account_ids=...&account_ids=... (repeated)",
                Request.of("GET", balances + "&account_ids=" + alice), Expect.problem(VALIDATION));
        for (String target : List.of("/accounts/" + f.alice() + "?at=2026-01-01T00:00:00Z",
                balances + "&limit=5", "/balances?account_id=" + alice,
                "/accounts/" + f.alice() + "?foo=bar", balance + "?limit=5", balance + "?At=2026-01-01T00:00:00Z",
                list + "?limt=10", list + "?page=2", list + "?cursor[]=x", list + "?=x",
                "/accounts/" + f.issuer() + "/transfers/1?expand=all", "/transfers/" + f.alice() + "?fields=amount")) {
            add("GET " + target + " (unknown parameter)", Request.of("GET", target), Expect.problem(VALIDATION));
        }
        add("POST /transfers?dry_run=true (unknown)", post("/transfers?dry_run=true", json(transfer)),
                Expect.problem(VALIDATION));
        String unknownKey = "/api-keys/" + UUID.randomUUID();
        for (String query : List.of("foo=bar", "limit=5", "name=payments", "scope=admin", "include_revoked=true",
                "name=a&name=b", "=x", "scope[]=admin")) {
            add("GET /api-keys?" + query + " (unknown)", Request.of("GET", "/api-keys?" + query), Expect.problem(VALIDATION));
            add("DELETE /api-keys/{unknown}?" + query + " (unknown)", Request.of("DELETE", unknownKey + "?" + query),
                    Expect.problem(VALIDATION));
        }
        add("POST /api-keys?scope=admin (unknown)", post("/api-keys?scope=admin", json(apiKey)),
                Expect.problem(VALIDATION));
        add("POST /accounts?currency=EUR (unknown)", post("/accounts?currency=EUR", json(account)),
                Expect.problem(VALIDATION));
        for (String query : List.of("limit=5&limit=6", "limit=abc&limit=5", "limit=5&limit=abc", "direction=in&direction=out",
                "cursor=&cursor=")) {
            add("GET transfers?" + query + " (repeated)", Request.of("GET", list + "?" + query), Expect.problem(VALIDATION));
        }
        add("GET balance?at=...&at=... (repeated)", Request.of("GET", balance + "?at=2026-01-01T00:00:00Z&at=now"),
                Expect.problem(VALIDATION));
        add("GET transfers with a 5,000-character query", Request.of("GET", list + "?cursor=" + "A".repeat(5_000)),
                Expect.beforeRouting(414));
    }

    private void headers() {
        group = "headers";
        // POST /api-keys refuses any Idempotency-Key: it cannot replay a key shown once.
        add("POST /api-keys Idempotency-Key", post("/api-keys", json(apiKey)).header("Idempotency-Key", UUID_TEXT),
                Expect.problem(VALIDATION));
        for (String path : List.of("/accounts", "/transfers")) {
            String unkeyed = json(without(bodies.get(path), "id"));
            List<String> notKeys = new ArrayList<>(List.of("", "nope", UUID_TEXT.substring(1), UUID_TEXT + "0",
                    UUID_TEXT.replace("-", ""), "{" + UUID_TEXT + "}", " " + UUID_TEXT + "x", "AZOhwnseeM2fChssPU5fYA==",
                    "x".repeat(10_000), UUID_TEXT + ", " + UUID.randomUUID()));
            notKeys.addAll(SQL_INJECTIONS);
            for (String key : notKeys) {
                add("POST " + path + " Idempotency-Key: " + abbreviate(key), post(path, unkeyed)
                        .header("Idempotency-Key", key), Expect.problem(VALIDATION));
            }
            add("POST " + path + " Idempotency-Key other than the body's id", post(path,
                    json(bodies.get(path))).header("Idempotency-Key", UUID.randomUUID().toString()),
                    Expect.problem(VALIDATION));
            add("POST " + path + " two different Idempotency-Keys", post(path, unkeyed)
                    .header("Idempotency-Key", UUID.randomUUID().toString())
                    .header("Idempotency-Key", UUID.randomUUID().toString()), Expect.problem(VALIDATION));
            add("POST " + path + " Idempotency-Key with non-ASCII bytes", post(path, unkeyed)
                    .header("Idempotency-Key", "\u00e9" + UUID_TEXT.substring(1)), Expect.problem(VALIDATION));
        }
        for (String path : bodies.keySet()) {
            byte[] valid = json(bodies.get(path)).getBytes(StandardCharsets.UTF_8);
            add("POST " + path + " Content-Length shorter than the body", post(path, valid)
                    .header("Content-Length", String.valueOf(valid.length - 5)), Expect.problem(VALIDATION));
            add("POST " + path + " Content-Length 0 with a body", post(path, valid).header("Content-Length", "0"),
                    Expect.problem(VALIDATION));
            for (String length : List.of("abc", "-1", "1e3", "0x20", "12, 13")) {
                add("POST " + path + " Content-Length: " + length, post(path, valid).header("Content-Length", length),
                        Expect.beforeRouting(400));
            }
            add("POST " + path + " two Content-Lengths", post(path, valid)
                    .header("Content-Length", String.valueOf(valid.length)).header("Content-Length", "5"),
                    Expect.beforeRouting(400));
            add("POST " + path + " Transfer-Encoding: gzip", post(path, valid).header("Transfer-Encoding", "gzip"),
                    Expect.beforeRouting(400));
            // Framed as chunked, but with a coding on top that the service would not undo.
            for (String codings : List.of("gzip, chunked", "deflate, chunked", "x-bogus, chunked")) {
                add("POST " + path + " Transfer-Encoding: " + codings, Request.of("POST", path)
                        .header("Content-Type", "application/json").header("Transfer-Encoding", codings)
                        .body(chunked(new String(valid, StandardCharsets.UTF_8))), Expect.problem(VALIDATION));
            }
            add("POST " + path + " Expect: a-pony", post(path, valid).header("Expect", "a-pony"),
                    Expect.problem(ProblemType.EXPECTATION_FAILED));
            add("POST " + path + " with a 30 KB header", post(path, valid).header("X-Junk", "j".repeat(30_000)),
                    Expect.beforeRouting(431));
        }
        add("GET /accounts/{alice} with a header without a colon", Request.of("GET", "/accounts/" + f.alice())
                .header("Broken header line", ""), Expect.beforeRouting(400));
        add("GET /accounts/{alice} with 30 KB of Accept", Request.of("GET", "/accounts/" + f.alice())
                .header("Accept", "application/json, " + "text/x-junk, ".repeat(2_500)), Expect.beforeRouting(431));
    }

    /** Well-formed requests the ledger refuses; text fields carry SQL that must stay inert data. */
    private void refusedByTheLedger() {
        group = "refused by the ledger";
        // A refusal is final under its id (V5__final_refusals.sql): each case needs an id of its own,
        // or it would be answered as a conflict with the case before it. The refusals it records
        // are decisions, not data a client wrote, so the snapshot leaves transfer_refusal out.
        add("POST /transfers of more than the balance", post("/transfers", json(with(freshId(transfer), "amount", "101"))),
                Expect.problem(INSUFFICIENT_FUNDS));
        add("POST /transfers of 2^63-1", post("/transfers", json(with(freshId(transfer), "amount", "9223372036854775807"))),
                Expect.problem(INSUFFICIENT_FUNDS));
        add("POST /transfers to another currency", post("/transfers",
                json(with(freshId(transfer), "destination", q(f.foreign().toString())))), Expect.problem(CURRENCY_MISMATCH));
        add("POST /transfers from an unknown account", post("/transfers",
                json(with(freshId(transfer), "source", q(UUID.randomUUID().toString())))), Expect.problem(ACCOUNT_NOT_FOUND));
        add("POST /transfers to an unknown account", post("/transfers",
                json(with(freshId(transfer), "destination", q(UUID.randomUUID().toString())))), Expect.problem(ACCOUNT_NOT_FOUND));
        add("POST /transfers to itself", post("/transfers", json(with(freshId(transfer), "destination", q(f.alice().toString())))),
                Expect.problem(VALIDATION));
        add("POST /transfers to itself beyond the balance", post("/transfers", json(with(with(freshId(transfer), "destination",
                q(f.alice().toString())), "amount", "1000"))), Expect.problem(VALIDATION));
        add("POST /transfers expecting index 2", post("/transfers", json(with(freshId(transfer), "expected_index", "2"))),
                Expect.problem(INDEX_CONFLICT));
        add("POST /transfers expecting index 2^63-1", post("/transfers",
                json(with(freshId(transfer), "expected_index", "9223372036854775807"))), Expect.problem(INDEX_CONFLICT));
        add("POST /transfers reusing an account's funding id", post("/transfers",
                json(with(transfer, "id", q(f.alice().toString())))), Expect.problem(IDEMPOTENCY_CONFLICT));
        add("POST /accounts reusing an account's id", post("/accounts", json(with(account, "id", q(f.alice().toString())))),
                Expect.problem(IDEMPOTENCY_CONFLICT));
        for (String injection : SQL_INJECTIONS) {
            add("POST /transfers beyond the balance, description " + injection, post("/transfers",
                    json(with(with(freshId(transfer), "amount", "101"), "description", text(injection)))),
                    Expect.problem(INSUFFICIENT_FUNDS));
            add("POST /transfers beyond the balance, metadata " + injection, post("/transfers",
                    json(with(with(freshId(transfer), "amount", "101"), "metadata", "{" + text(injection) + ":" + text(injection) + "}"))),
                    Expect.problem(INSUFFICIENT_FUNDS));
            add("POST /accounts with an existing id, metadata " + injection, post("/accounts",
                    json(with(with(account, "id", q(f.alice().toString())), "metadata", "{\"k\":" + text(injection) + "}"))),
                    Expect.problem(IDEMPOTENCY_CONFLICT));
        }
        for (String scope : List.of("read", "write", "admin")) {
            add("POST /api-keys with a taken name, scope " + scope, post("/api-keys",
                    json(with(with(apiKey, "name", q(f.takenKeyName())), "scope", q(scope)))), Expect.problem(NAME_TAKEN));
        }
        String unknown = UUID.randomUUID().toString();
        for (String id : List.of(unknown, f.alice().toString(), f.alice().toString().toUpperCase(Locale.ROOT),
                "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff")) {
            add("DELETE /api-keys/" + id + " (no such key)", Request.of("DELETE", "/api-keys/" + id),
                    Expect.problem(NOT_FOUND));
        }
        for (String path : List.of("/accounts/" + unknown, "/accounts/" + unknown + "/balance",
                "/accounts/" + unknown + "/transfers", "/accounts/" + unknown + "/transfers/1",
                "/accounts/" + f.alice() + "/transfers/1", "/accounts/" + f.issuer() + "/transfers/9223372036854775807",
                "/transfers/" + unknown)) {
            add("GET " + path + " (does not exist)", Request.of("GET", path), Expect.problem(NOT_FOUND));
        }
    }

    /**
     * POST /transfers/batch beyond what the groups above vary for every body: the list, its
     * items, and what is refused for a batch only. Every one refuses the whole request.
     */
    private void batches() {
        group = "batches";
        String item = json(batchItem);
        for (String value : List.of("null", "{}", item, q("x"), "1", "true", "[]", "[null]", "[1]", "[[]]",
                "[" + q(UUID_TEXT) + "]", "[" + item + ",null]", "[" + item + "," + item + "]",
                "[" + "{},".repeat(1_000) + "{}]", "[" + "{},".repeat(20_000) + "{}]",
                "[" + "null,".repeat(12_000) + "null]", "[" + "1,".repeat(30_000) + "1]",
                "[" + "[],".repeat(20_000) + "[]]")) {
            field("/transfers/batch", batch, "transfers", value);
        }
        missing("/transfers/batch", batch, "transfers");
        unknown("/transfers/batch", batch, "atomic");
        twice("/transfers/batch", batch, "transfers");
        for (String field : List.of("id", "source", "destination", "amount")) {
            add("POST /transfers/batch an item without " + field, post("/transfers/batch",
                    json(batchOf(without(batchItem, field)))), Expect.problem(VALIDATION));
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        values.put("amount", List.of("0", "-1", "1.5", q("10"), "null", "9223372036854775808"));
        values.put("expected_index", List.of("0", q("1"), q(" "), q("\\t")));
        values.put("source", List.of(q("nope"), "null", "1"));
        values.put("description", List.of(q("x".repeat(513)), q("bell\\u0007")));
        values.put("metadata", List.of("[]", "{\"k\":\"nul\\u0000\"}", nested(32)));
        values.put("surprise", List.of("1"));
        values.forEach((field, bad) -> bad.forEach(value -> add("POST /transfers/batch an item's " + field + " = "
                + abbreviate(value), post("/transfers/batch", json(batchOf(with(batchItem, field, value)))),
                Expect.problem(VALIDATION))));
        add("POST /transfers/batch with Idempotency-Key", post("/transfers/batch", json(batch))
                .header("Idempotency-Key", UUID.randomUUID().toString()), Expect.problem(VALIDATION));
        // GET /transfers/{id} takes the path, and "batch" is not a UUID: GET is routed, so Allow names it.
        for (String method : List.of("PUT", "DELETE", "PATCH")) {
            add(method + " /transfers/batch", new Request(method, "/transfers/batch", post("/transfers/batch", json(batch))
                    .headers(), json(batch).getBytes(StandardCharsets.UTF_8)), Expect.notAllowed(allowHeader(Set.of("GET", "POST"))));
        }
        add("GET /transfers/batch", Request.of("GET", "/transfers/batch"), Expect.problem(VALIDATION));
        add("POST /transfers/batch accepting application/xml", post("/transfers/batch", json(batch))
                .header("Accept", "application/xml"), Expect.problem(NOT_ACCEPTABLE));
    }

    /**
     * Authorization headers that must never let a request through, for a service with
     * authentication on: each request would be served with "Bearer validKey", and the admin ones
     * would write.
     */
    static List<Case> authorization(String validKey) {
        Map<String, List<String>> hostile = new LinkedHashMap<>();
        for (String value : List.of("", "Bearer", "Bearer ", "Bearer \t ", "Bearer  \"\"", "Bearer null", "Bearer undefined",
                "Basic " + Base64.getEncoder().encodeToString(("admin:" + validKey).getBytes(StandardCharsets.UTF_8)),
                "Basic " + validKey, "Token " + validKey, "Digest " + validKey, validKey, "Bearer" + validKey,
                "Bearer:" + validKey, "Bearer=" + validKey, "Bearer " + "a".repeat(10_000), "Bearer ldg_" + "A".repeat(43),
                "Bearer ldg_", "Bearer " + validKey + "x", "Bearer " + validKey.substring(0, validKey.length() - 1),
                "Bearer " + validKey.toUpperCase(Locale.ROOT), "Bearer " + validKey + " " + validKey,
                "Bearer " + validKey + ", Bearer " + validKey, "Bearer " + encode(validKey).replace("_", "%5F"),
                "Bearer " + Base64.getEncoder().encodeToString(validKey.getBytes(StandardCharsets.UTF_8)),
                "Bearer " + validKey + "\u00e9", "Bearer \u00e9" + validKey, "Bearer *", "Bearer %")) {
            hostile.put(abbreviate(value), List.of(value));
        }
        SQL_INJECTIONS.forEach(injection -> hostile.put("Bearer " + injection, List.of("Bearer " + injection)));
        hostile.put("two headers, valid first", List.of("Bearer " + validKey, "Bearer ldg_" + "A".repeat(43)));
        hostile.put("two headers, valid second", List.of("Bearer ldg_" + "A".repeat(43), "Bearer " + validKey));
        hostile.put("the valid one twice", List.of("Bearer " + validKey, "Bearer " + validKey));
        hostile.put("an empty one and the valid one", List.of("", "Bearer " + validKey));
        hostile.put("no Authorization", List.of());
        hostile.put("two empty ones", List.of("", ""));
        hostile.put("the valid one and an empty one", List.of("Bearer " + validKey, ""));
        List<Request> requests = List.of(
                Request.of("GET", "/accounts/" + UUID.randomUUID()),
                Request.of("GET", "/balances?account_ids=" + UUID.randomUUID()),
                post("/accounts", "{\"currency\":\"EUR\",\"initial_balance\":1000}"),
                post("/transfers", "{\"source\":\"" + UUID.randomUUID() + "\",\"destination\":\"" + UUID.randomUUID()
                        + "\",\"amount\":1}"),
                post("/transfers/batch", "{\"transfers\":[{\"id\":\"" + UUID.randomUUID() + "\",\"source\":\""
                        + UUID.randomUUID() + "\",\"destination\":\"" + UUID.randomUUID() + "\",\"amount\":1}]}"),
                Request.of("GET", "/api-keys"),
                post("/api-keys", "{\"name\":\"hostile-auth-" + UUID.randomUUID().toString().substring(0, 8)
                        + "\",\"scope\":\"admin\"}"),
                Request.of("DELETE", "/api-keys/" + UUID.randomUUID()));
        List<Case> cases = new ArrayList<>();
        for (Request request : requests) {
            hostile.forEach((name, values) -> {
                Request sent = request;
                for (String value : values) {
                    sent = sent.header("Authorization", value);
                }
                cases.add(new Case("Authorization", request.method() + " " + request.target() + " with Authorization: "
                        + name, sent, Expect.problem(ProblemType.UNAUTHORIZED)));
            });
            // Netty refuses control characters in any header value, before the service sees it.
            for (String control : List.of("\u0000", "\u0001", "\u001b", "\u007f")) {
                cases.add(new Case("Authorization", request.method() + " " + request.target()
                        + " with a valid key and U+" + HexFormat.of().toHexDigits((short) control.charAt(0)),
                        request.header("Authorization", "Bearer " + validKey + control), Expect.beforeRouting(400)));
            }
        }
        return cases;
    }

    // ---- building blocks ---------------------------------------------------------------------------

    /** One request per route, each valid: the base of the method and Accept cases. */
    private List<Request> validRequests() {
        return List.of(
                post("/accounts", json(account)),
                Request.of("GET", "/accounts/" + f.alice()),
                Request.of("GET", "/accounts/" + f.alice() + "/balance"),
                Request.of("GET", "/accounts/" + f.alice() + "/transfers"),
                Request.of("GET", "/accounts/" + f.issuer() + "/transfers/1"),
                post("/transfers", json(transfer)),
                Request.of("GET", "/transfers/" + f.alice()),
                post("/api-keys", json(apiKey)),
                Request.of("GET", "/api-keys"),
                Request.of("DELETE", "/api-keys/" + UUID.randomUUID()));
    }

    /** The Allow of a path that takes these methods: HEAD wherever GET is, and OPTIONS everywhere. */
    static Set<String> allowHeader(Set<String> methods) {
        Set<String> allow = new TreeSet<>(methods);
        if (methods.contains("GET")) {
            allow.add("HEAD");
        }
        allow.add("OPTIONS");
        return allow;
    }

    /** The template with one field's value replaced. */
    private void field(String path, Map<String, String> template, String field, String value) {
        LinkedHashMap<String, String> body = new LinkedHashMap<>(template);
        body.put(field, value);
        add("POST " + path + " " + field + " = " + abbreviate(value), post(path, json(body)), Expect.problem(VALIDATION));
    }

    private void missing(String path, Map<String, String> template, String field) {
        add("POST " + path + " without " + field, post(path, json(without(template, field))), Expect.problem(VALIDATION));
    }

    private void unknown(String path, Map<String, String> template, String field) {
        add("POST " + path + " with unknown field '" + field + "'", post(path, json(with(template, field, "1"))),
                Expect.problem(VALIDATION));
    }

    /** The template with one field sent twice, the second time with another value. */
    private void twice(String path, Map<String, String> template, String field) {
        String valid = json(template);
        add("POST " + path + " with " + field + " twice", post(path,
                valid.substring(0, valid.length() - 1) + "," + q(field) + ":" + q("other") + "}"),
                Expect.problem(VALIDATION));
    }

    private void add(String name, Request request, Expect expect) {
        cases.add(new Case(group, name, request, expect));
    }

    private static Request post(String path, String body) {
        return Request.of("POST", path).json(body);
    }

    private static Request post(String path, byte[] body) {
        return Request.of("POST", path).header("Content-Type", "application/json").body(body);
    }

    static String json(Map<String, String> fields) {
        StringBuilder out = new StringBuilder("{");
        fields.forEach((name, value) -> out.append(out.length() > 1 ? "," : "").append(q(name)).append(':').append(value));
        return out.append('}').toString();
    }

    private static LinkedHashMap<String, String> with(Map<String, String> template, String field, String value) {
        LinkedHashMap<String, String> copy = new LinkedHashMap<>(template);
        copy.put(field, value);
        return copy;
    }

    /** A batch body of this one item. */
    private static LinkedHashMap<String, String> batchOf(Map<String, String> item) {
        LinkedHashMap<String, String> body = new LinkedHashMap<>();
        body.put("transfers", "[" + json(item) + "]");
        return body;
    }

    private static LinkedHashMap<String, String> freshId(Map<String, String> template) {
        return with(template, "id", q(UUID.randomUUID().toString()));
    }

    private static LinkedHashMap<String, String> without(Map<String, String> template, String field) {
        LinkedHashMap<String, String> copy = new LinkedHashMap<>(template);
        copy.remove(field);
        return copy;
    }

    /**
     * A JSON string literal of {@code text}, whose backslashes are kept as written so that the
     * tables can spell escapes such as {@code \\u0000} themselves.
     */
    static String q(String text) {
        return '"' + text.replace("\"", "\\\"") + '"';
    }

    /** A JSON string literal of {@code text} as it reads, backslashes included. */
    static String text(String text) {
        return q(text.replace("\\", "\\\\"));
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String cursor(String plain) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    private static String manyKeys(int count) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < count; i++) {
            out.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        return out.append('}').toString();
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static byte[] splice(byte[] body, String marker, byte[] replacement) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        int at = text.indexOf(new String(marker.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(body, 0, at);
        out.writeBytes(replacement);
        int after = at + marker.getBytes(StandardCharsets.UTF_8).length;
        out.write(body, after, body.length - after);
        return out.toByteArray();
    }

    private static byte[] chunked(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < bytes.length; at += 4096) {
            int size = Math.min(4096, bytes.length - at);
            out.writeBytes((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes, at, size);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** Head and tail: cursors differ at both ends (position first, list last). */
    private static String abbreviate(String text) {
        return text.length() <= 120 ? text
                : text.substring(0, 60) + "…" + text.substring(text.length() - 40) + "(" + text.length() + " chars)";
    }
}
