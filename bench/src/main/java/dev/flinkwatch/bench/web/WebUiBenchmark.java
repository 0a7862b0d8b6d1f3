package dev.flinkwatch.bench.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkwatch.api.ControlApi;
import dev.flinkwatch.api.ControlApiConfig;
import dev.flinkwatch.testing.TestKafka;
import dev.flinkwatch.testing.TestPostgres;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Server time of the web app's pages for a tenant with 1,000 monitors (and 1,000 alerts with diffs,
 * 100 check runs on the measured monitor): N sequential requests per page, the page's own {@code
 * Server-Timing} (time in the server, template rendering included) and the client's round trip, p50
 * / p99 / max. Goal: no page over 200 ms server time.
 *
 * <p>Run (from the repository root, after {@code mvn -o -q -pl bench -am compile}): {@code java -cp
 * ... dev.flinkwatch.bench.web.WebUiBenchmark}; system properties {@code bench.monitors} (1000),
 * {@code bench.requests} (200 per page), {@code bench.results} (bench/results/web-ui.md).
 */
public final class WebUiBenchmark {
    private static final String ADMIN_TOKEN = "benchmark-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TIMING = Pattern.compile("app;dur=([0-9.]+)");

    private WebUiBenchmark() {}

    public static void main(String[] args) throws Exception {
        Configurator.setLevel("dev.flinkwatch.api.http.RequestObserver", Level.WARN);
        int monitors = Integer.getInteger("bench.monitors", 1000);
        int requests = Integer.getInteger("bench.requests", 200);
        Path results = Path.of(System.getProperty("bench.results", "bench/results/web-ui.md"));
        double loadAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

        TestPostgres.Database db = TestPostgres.newMigratedDatabase();
        String topic = TestKafka.uniqueTopic("monitors-web-bench");
        TestKafka.createTopic(topic, 1, true);
        ControlApiConfig config =
                ControlApiConfig.builder(ADMIN_TOKEN)
                        .port(0)
                        .kafkaBootstrapServers(TestKafka.bootstrapServers())
                        .monitorsTopic(topic)
                        .defaultMonitorQuota(1_000_000)
                        .writeLimit(0, 0)
                        .readLimit(0, 0)
                        .build();
        HttpClient http = HttpClient.newHttpClient();
        Map<String, double[][]> measured = new LinkedHashMap<>();
        try (ControlApi api = ControlApi.start(config, db.dataSource())) {
            String base = api.baseUrl();
            JsonNode tenant =
                    JSON.readTree(
                            send(
                                    http,
                                    HttpRequest.newBuilder(URI.create(base + "/v1/tenants"))
                                            .header("X-Admin-Token", ADMIN_TOKEN)
                                            .header("Content-Type", "application/json")
                                            .POST(
                                                    HttpRequest.BodyPublishers.ofString(
                                                            "{\"name\":\"web bench\"}"))
                                            .build(),
                                    201));
            String key = tenant.path("apiKey").asText();
            UUID tenantId = UUID.fromString(tenant.path("id").asText());
            for (int from = 0; from < monitors; from += 1000) {
                StringBuilder body = new StringBuilder("{\"monitors\":[");
                for (int i = from; i < Math.min(monitors, from + 1000); i++) {
                    body.append(i == from ? "" : ",")
                            .append("{\"name\":\"Shop page ")
                            .append(i)
                            .append("\",\"sources\":[{\"url\":\"https://shop")
                            .append(i % 50)
                            .append(".example/item/")
                            .append(i)
                            .append("\",\"selector\":\"#price\"}],\"intervalSeconds\":300,")
                            .append("\"condition\":{\"type\":\"contains\",\"text\":\"In stock\"}}");
                }
                body.append("]}");
                send(
                        http,
                        HttpRequest.newBuilder(URI.create(base + "/v1/monitors/batch"))
                                .header("Authorization", "Bearer " + key)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                .build(),
                        201);
            }
            UUID first = pipelineRows(db, tenantId);

            String signIn =
                    http.send(
                                    HttpRequest.newBuilder(URI.create(base + "/app/login"))
                                            .header(
                                                    "Content-Type",
                                                    "application/x-www-form-urlencoded")
                                            .POST(
                                                    HttpRequest.BodyPublishers.ofString(
                                                            "apiKey="
                                                                    + URLEncoder.encode(
                                                                            key,
                                                                            StandardCharsets
                                                                                    .UTF_8)))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .headers()
                            .firstValue("Set-Cookie")
                            .orElseThrow();
            String cookie = signIn.substring(0, signIn.indexOf(';'));
            Map<String, String> pages = new LinkedHashMap<>();
            pages.put("login", "/app/login");
            pages.put("monitors (first 50 of 1,000)", "/app/monitors");
            pages.put("monitors, search \"page 99\"", "/app/monitors?q=page+99");
            pages.put("monitors, filter failing", "/app/monitors?state=failing");
            pages.put(
                    "monitor + history (50 checks, 50 alerts with diffs)",
                    "/app/monitors/" + first);
            pages.put("edit form", "/app/monitors/" + first + "/edit");
            pages.put("new monitor form", "/app/monitors/new");
            pages.put("alerts (newest 50 of 1,000)", "/app/alerts");
            pages.put("keys", "/app/keys");
            for (Map.Entry<String, String> page : pages.entrySet()) {
                measure(http, base + page.getValue(), cookie, Math.max(20, requests / 5));
            }
            for (Map.Entry<String, String> page : pages.entrySet()) {
                measured.put(
                        page.getKey(), measure(http, base + page.getValue(), cookie, requests));
            }
        }
        List<String> out = new ArrayList<>();
        out.add("# Web app page times (WebUiBenchmark)");
        out.add("");
        out.add(
                String.format(
                        Locale.ROOT,
                        "%d monitors in the tenant, 1,000 alerts, %d sequential requests per page"
                                + " after a warm-up; embedded PostgreSQL; load average at the start"
                                + " %.2f on %d cores. Server = the page's Server-Timing (handler"
                                + " incl. queries and template); client = round trip on loopback.",
                        monitors,
                        requests,
                        loadAtStart,
                        Runtime.getRuntime().availableProcessors()));
        out.add("");
        out.add("| page | server p50 | server p99 | server max | client p50 | client p99 |");
        out.add("|---|---|---|---|---|---|");
        double worst = 0;
        for (Map.Entry<String, double[][]> e : measured.entrySet()) {
            double[] server = e.getValue()[0];
            double[] client = e.getValue()[1];
            worst = Math.max(worst, pct(server, 99));
            out.add(
                    String.format(
                            Locale.ROOT,
                            "| %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms |",
                            e.getKey(),
                            pct(server, 50),
                            pct(server, 99),
                            server[server.length - 1],
                            pct(client, 50),
                            pct(client, 99)));
        }
        out.add("");
        out.add(
                String.format(
                        Locale.ROOT,
                        "Worst server p99: %.1f ms (goal: every page under 200 ms): %s.",
                        worst,
                        worst < 200 ? "met" : "NOT met"));
        Files.createDirectories(results.toAbsolutePath().getParent());
        Files.write(results, out);
        out.forEach(System.out::println);
        System.exit(0);
    }

    /** What the pipeline would have written: a status per monitor, alerts and checks. */
    private static UUID pipelineRows(TestPostgres.Database db, UUID tenant) throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            List<UUID> ids = new ArrayList<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT id FROM monitors WHERE tenant_id = ? ORDER BY id")) {
                ps.setObject(1, tenant);
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getObject(1, UUID.class));
                    }
                }
            }
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "INSERT INTO monitor_status (monitor_id, tenant_id, last_check_at,"
                                    + " last_outcome, consecutive_failures, last_change_at)"
                                    + " VALUES (?, ?, now(), ?, ?, now())")) {
                for (int i = 0; i < ids.size(); i++) {
                    ps.setObject(1, ids.get(i));
                    ps.setObject(2, tenant);
                    ps.setString(3, i % 10 == 0 ? "ERROR" : "UNCHANGED");
                    ps.setInt(4, i % 10 == 0 ? 3 : 0);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            String diff = "- Price: 54.00\n- Sold out\n+ Price: 49.00\n+ In stock";
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "INSERT INTO alerts (alert_key, kind, monitor_id, tenant_id, source_url,"
                                    + " detected_at, reason, diff) VALUES (?, 'CONDITION_MET', ?, ?,"
                                    + " 'https://shop.example/item', now() - ? * interval '1 minute',"
                                    + " 'the page now contains \"In stock\"', ?)")) {
                for (int i = 0; i < 1000; i++) {
                    ps.setString(1, "bench-" + i);
                    ps.setObject(2, i < 50 ? ids.get(0) : ids.get(i % ids.size()));
                    ps.setObject(3, tenant);
                    ps.setInt(4, i);
                    ps.setString(5, diff);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "INSERT INTO check_runs (monitor_id, tenant_id, source_url, scheduled_at,"
                                    + " started_at, finished_at, outcome, http_status, latency_ms, diff)"
                                    + " VALUES (?, ?, 'https://shop.example/item',"
                                    + " now() - ? * interval '5 minutes', now() - ? * interval '5 minutes',"
                                    + " now() - ? * interval '5 minutes', 'CHANGED', 200, 42, ?)")) {
                for (int i = 0; i < 100; i++) {
                    ps.setObject(1, ids.get(0));
                    ps.setObject(2, tenant);
                    ps.setInt(3, i);
                    ps.setInt(4, i);
                    ps.setInt(5, i);
                    ps.setString(6, diff);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
            return ids.get(0);
        }
    }

    /** [server ms sorted, client ms sorted] of n GETs. */
    private static double[][] measure(HttpClient http, String url, String cookie, int n)
            throws Exception {
        double[] server = new double[n];
        double[] client = new double[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .header("Cookie", cookie)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            client[i] = (System.nanoTime() - start) / 1e6;
            if (r.statusCode() != 200) {
                throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body());
            }
            Matcher m = TIMING.matcher(r.headers().firstValue("Server-Timing").orElse(""));
            if (!m.find()) {
                throw new IllegalStateException(url + " has no Server-Timing");
            }
            server[i] = Double.parseDouble(m.group(1));
        }
        Arrays.sort(server);
        Arrays.sort(client);
        return new double[][] {server, client};
    }

    private static double pct(double[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static String send(HttpClient http, HttpRequest request, int expected)
            throws Exception {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(
                    request.uri() + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }
}
