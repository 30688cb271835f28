package dev.ledger.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes {@code js/stats.json} into a Gatling report, from the statistics table of its
 * {@code index.html}, and prints that file's path.
 *
 * <p>Gatling 3.12 and later no longer write {@code js/stats.json} (nor {@code global_stats.json},
 * {@code assertions.json}); the report's HTML is the only place left with the numbers, and
 * {@code simulation.log} is binary. This restores the file, in the layout older Gatling versions
 * used, for the fields the report shows: {@code stats.numberOfRequests.{total,ok,ko}}, and the
 * {@code total} (OK and KO together) of {@code meanNumberOfRequestsPerSecond},
 * {@code minResponseTime}, {@code percentiles1..4} (50th, 75th, 95th, 99th), {@code maxResponseTime},
 * {@code meanResponseTime} and {@code standardDeviation}, in milliseconds, plus
 * {@code percentageKO}. Per-request stats are under {@code contents.<id>.stats}, with the request's
 * {@code name}.
 *
 * <p>A single-file program, run without building: from the repository root,
 * {@code java load-tests/src/test/java/dev/ledger/load/ReportStats.java [REPORT_DIR...]}. Without
 * an argument it takes the newest report in {@code load-tests/target/gatling} (or
 * {@code target/gatling} when run from {@code load-tests/}).
 */
public final class ReportStats {

    private static final Pattern HEADER = Pattern.compile(
            "<th id=\"col-(\\d+)\"[^>]*>(.*?)</th>", Pattern.DOTALL);
    private static final Pattern ROW = Pattern.compile(
            "<tr id=\"([^\"]+)\"[^>]*>(.*?)</tr>", Pattern.DOTALL);
    private static final Pattern NAME = Pattern.compile(
            "class=\"ellipsed-name\">(.*?)</span>", Pattern.DOTALL);
    private static final Pattern CELL = Pattern.compile(
            "<td class=\"value (?:total|ok|ko) col-(\\d+)\">(.*?)</td>", Pattern.DOTALL);
    private static final Pattern TAG = Pattern.compile("<[^>]+>");

    private ReportStats() {
    }

    public static void main(String[] args) throws IOException {
        List<Path> reports = new ArrayList<>();
        if (args.length == 0) {
            reports.add(newestReport());
        } else {
            for (String arg : args) {
                reports.add(Path.of(arg));
            }
        }
        for (Path report : reports) {
            System.out.println(write(report));
        }
    }

    /** Parses {@code report/index.html} and writes {@code report/js/stats.json}; returns its path. */
    public static Path write(Path report) throws IOException {
        Path index = report.resolve("index.html");
        if (!Files.isRegularFile(index)) {
            throw new IOException("no Gatling report here (index.html missing): " + report);
        }
        String html = Files.readString(index, StandardCharsets.UTF_8);

        // Column number -> metric, from the table's header labels.
        Map<Integer, String[]> columns = new LinkedHashMap<>();
        int percentile = 0;
        Matcher header = HEADER.matcher(html);
        while (header.find()) {
            int col = Integer.parseInt(header.group(1));
            String label = text(header.group(2));
            String[] metric = switch (label) {
                case "Requests" -> null;
                case "Total" -> new String[] {"numberOfRequests", "total"};
                case "OK" -> new String[] {"numberOfRequests", "ok"};
                case "KO" -> new String[] {"numberOfRequests", "ko"};
                case "% KO" -> new String[] {"percentageKO", null};
                case "Cnt/s" -> new String[] {"meanNumberOfRequestsPerSecond", "total"};
                case "Min" -> new String[] {"minResponseTime", "total"};
                case "Max" -> new String[] {"maxResponseTime", "total"};
                case "Mean" -> new String[] {"meanResponseTime", "total"};
                case "Std Dev" -> new String[] {"standardDeviation", "total"};
                default -> label.endsWith(" pct")
                        ? new String[] {"percentiles" + (++percentile), "total"}
                        : null;
            };
            if (metric != null) {
                columns.put(col, metric);
            }
        }
        if (columns.isEmpty()) {
            throw new IOException("no statistics table in " + index);
        }

        String global = null;
        List<String> contents = new ArrayList<>();
        Matcher row = ROW.matcher(html);
        while (row.find()) {
            String id = row.group(1);
            Matcher nameMatcher = NAME.matcher(row.group(2));
            String name = nameMatcher.find() ? text(nameMatcher.group(1)) : id;
            Map<String, Map<String, Object>> stats = new LinkedHashMap<>();
            Matcher cell = CELL.matcher(row.group(2));
            while (cell.find()) {
                String[] metric = columns.get(Integer.parseInt(cell.group(1)));
                if (metric != null) {
                    stats.computeIfAbsent(metric[0], k -> new LinkedHashMap<>())
                            .put(metric[1], number(text(cell.group(2))));
                }
            }
            StringBuilder json = new StringBuilder();
            json.append("{\"name\": ").append(quote(name));
            for (Map.Entry<String, Map<String, Object>> metric : stats.entrySet()) {
                json.append(", ").append(quote(metric.getKey())).append(": ");
                Map<String, Object> values = metric.getValue();
                if (values.size() == 1 && values.containsKey(null)) {
                    json.append(values.get(null));
                } else {
                    json.append('{');
                    String sep = "";
                    for (Map.Entry<String, Object> value : values.entrySet()) {
                        json.append(sep).append(quote(value.getKey())).append(": ").append(value.getValue());
                        sep = ", ";
                    }
                    json.append('}');
                }
            }
            json.append('}');
            if (id.equals("ROOT")) {
                global = json.toString();
            } else {
                String type = id.startsWith("group_") ? "GROUP" : "REQUEST";
                contents.add("    " + quote(id) + ": {\"type\": \"" + type + "\", \"name\": " + quote(name)
                        + ", \"pathFormatted\": " + quote(id) + ",\n      \"stats\": " + json + "}");
            }
        }
        if (global == null) {
            throw new IOException("no global (All Requests) row in " + index);
        }

        String out = "{\n  \"type\": \"GROUP\",\n  \"name\": \"All Requests\",\n  \"stats\": " + global
                + ",\n  \"contents\": {\n" + String.join(",\n", contents) + "\n  }\n}\n";
        Path file = report.resolve("js").resolve("stats.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, out, StandardCharsets.UTF_8);
        return file;
    }

    private static Path newestReport() throws IOException {
        for (Path results : List.of(Path.of("load-tests", "target", "gatling"), Path.of("target", "gatling"))) {
            if (Files.isDirectory(results)) {
                try (Stream<Path> dirs = Files.list(results)) {
                    return dirs.filter(dir -> Files.isRegularFile(dir.resolve("index.html")))
                            .max(Comparator.comparing(ReportStats::modified))
                            .orElseThrow(() -> new IOException("no report in " + results));
                }
            }
        }
        throw new IOException("no load-tests/target/gatling or target/gatling here; pass a report folder");
    }

    private static FileTime modified(Path dir) {
        try {
            return Files.getLastModifiedTime(dir.resolve("index.html"));
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static String text(String html) {
        return TAG.matcher(html).replaceAll("")
                .replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
                .strip();
    }

    /** A JSON number, or null for Gatling's "-" (no value). */
    private static String number(String value) {
        String plain = value.replace(",", "");
        return plain.matches("-?\\d+(\\.\\d+)?") ? plain : "null";
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
