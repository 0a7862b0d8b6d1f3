package dev.flinkwatch.bench.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Measures the README's run command as a user sees it: time from the command to a ready stack (GET
 * /readyz = 200), resident memory of the whole process tree (the stack JVM, the Kafka broker JVM,
 * PostgreSQL) idle and with N monitors against the local target site, and the time a SIGTERM takes
 * to stop everything. Run from the repository root after a build: {@code bench/run.sh
 * dev.flinkwatch.bench.stack.LocalStackFootprint 10000}; appends to {@code
 * bench/results/local-stack.txt}.
 */
public final class LocalStackFootprint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private LocalStackFootprint() {}

    public static void main(String[] args) throws Exception {
        int monitors = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        String target = args.length > 1 ? args[1] : "http://127.0.0.1:18080";
        Path dataDir = Files.createTempDirectory("footprint-stack");
        String api = "http://127.0.0.1:18190";
        String token = "footprint-admin-token-0123456789";

        long t0 = System.nanoTime();
        ProcessBuilder pb =
                new ProcessBuilder("mvn", "-B", "-q", "-o", "-pl", "local-stack", "exec:exec")
                        .redirectErrorStream(true)
                        .redirectOutput(dataDir.resolve("stack.log").toFile());
        pb.environment().put("MONITOR_DATA_DIR", dataDir.resolve("data").toString());
        pb.environment().put("MONITOR_API_PORT", "18190");
        pb.environment().put("MONITOR_DASHBOARD_PORT", "18191");
        pb.environment().put("MONITOR_ADMIN_TOKEN", token);
        pb.environment().put("MONITOR_FETCH_ALLOW_PRIVATE", "true");
        Process mvn = pb.start();
        while (status(api + "/readyz") != 200) {
            if (!mvn.isAlive()) {
                throw new IllegalStateException(
                        "stack exited; see " + dataDir.resolve("stack.log"));
            }
            Thread.sleep(200);
        }
        double readySeconds = (System.nanoTime() - t0) / 1e9;
        ProcessHandle stack =
                mvn.toHandle()
                        .descendants()
                        .filter(p -> cmdline(p).contains("LocalStackMain"))
                        .findFirst()
                        .orElseThrow();
        Thread.sleep(20_000);
        long idle = rssKib(stack);

        long c0 = System.nanoTime();
        int perTenant = 1000; // the default quota
        for (int t = 0; t * perTenant < monitors; t++) {
            String key =
                    post(api + "/v1/tenants", token, null, "{\"name\":\"t" + t + "\"}")
                            .path("apiKey")
                            .asText();
            for (int i = t * perTenant; i < Math.min(monitors, (t + 1) * perTenant); i++) {
                post(
                        api + "/v1/monitors",
                        null,
                        key,
                        "{\"name\":\"m"
                                + i
                                + "\",\"sources\":[{\"url\":\""
                                + target
                                + "/p/"
                                + (i % 1000)
                                + ".html\",\"selector\":\"#price\"}],\"intervalSeconds\":300,"
                                + "\"condition\":{\"type\":\"any_change\"}}");
            }
        }
        double createSeconds = (System.nanoTime() - c0) / 1e9;
        Thread.sleep(330_000); // one 5-minute interval: every monitor has been checked once
        long loaded = rssKib(stack);

        long s0 = System.nanoTime();
        stack.destroy(); // SIGTERM, as Ctrl-C would
        stack.onExit().get(60, TimeUnit.SECONDS);
        double stopSeconds = (System.nanoTime() - s0) / 1e9;
        mvn.waitFor(30, TimeUnit.SECONDS);

        String line =
                String.format(
                        "%s ready_after_command_s=%.1f (build already done) rss_idle_mib=%d"
                                + " rss_with_%d_monitors_mib=%d create_%d_monitors_s=%.1f"
                                + " sigterm_stop_s=%.1f",
                        Instant.now(),
                        readySeconds,
                        idle / 1024,
                        monitors,
                        loaded / 1024,
                        monitors,
                        createSeconds,
                        stopSeconds);
        System.out.println(line);
        Path results = Path.of("bench/results/local-stack.txt");
        Files.createDirectories(results.getParent());
        Files.writeString(
                results,
                line + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** Resident memory of a process and all its descendants (JVMs, PostgreSQL), in KiB. */
    private static long rssKib(ProcessHandle root) throws IOException {
        long total = 0;
        for (ProcessHandle p : Stream.concat(Stream.of(root), root.descendants()).toList()) {
            Path status = Path.of("/proc", String.valueOf(p.pid()), "status");
            if (Files.exists(status)) {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmRSS:")) {
                        total += Long.parseLong(line.replaceAll("\\D", ""));
                    }
                }
            }
        }
        return total;
    }

    private static String cmdline(ProcessHandle p) {
        try {
            return Files.readString(Path.of("/proc", String.valueOf(p.pid()), "cmdline"));
        } catch (IOException e) {
            return "";
        }
    }

    private static int status(String url) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static JsonNode post(String url, String adminToken, String apiKey, String body)
            throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body));
        if (adminToken != null) {
            b.header("X-Admin-Token", adminToken);
        }
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
