package dev.flinkwatch.bench.api;

import dev.flinkwatch.api.ControlApi;
import dev.flinkwatch.api.ControlApiConfig;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.testing.TestKafka;
import dev.flinkwatch.testing.TestPostgres;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Throughput and latency of the control API's hottest routes, create-monitor and list-monitors, and
 * of bulk creation (10,000 monitors through {@code POST /v1/monitors/batch} in batches of 1000, and
 * as one URL-list import), with concurrent HTTP clients (java.net.http, keep-alive) against the
 * running service on real PostgreSQL (embedded binaries) with the outbox relay publishing to a real
 * Kafka broker.
 *
 * <p>Each client thread is its own tenant (creates of one tenant serialize on the tenant row for
 * the quota check; see the single-tenant row). The list phase reads the first page (50 monitors) of
 * a tenant with thousands. Per-request log lines are switched off: console logging would be what is
 * measured. After the creates, the time the relay needs to publish the whole backlog is reported
 * too.
 *
 * <p>Run: {@code bench/run.sh dev.flinkwatch.bench.api.ApiBenchmark}; system properties {@code
 * bench.clients} (16), {@code bench.requests} (10000 per phase), {@code bench.results}.
 */
public final class ApiBenchmark {
    private static final String ADMIN_TOKEN = "benchmark-admin-token-0123456789";

    private ApiBenchmark() {}

    public static void main(String[] args) throws Exception {
        Configurator.setLevel("dev.flinkwatch.api.http.RequestObserver", Level.WARN);
        int clients = Integer.getInteger("bench.clients", 16);
        int requests = Integer.getInteger("bench.requests", 10_000);
        int bulkMonitors = Integer.getInteger("bench.bulk", 10_000);
        double loadAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

        TestPostgres.Database db = TestPostgres.newMigratedDatabase();
        String topic = TestKafka.uniqueTopic("monitors-bench");
        TestKafka.createTopic(topic, 6, true);
        ControlApiConfig config =
                ControlApiConfig.builder(ADMIN_TOKEN)
                        .port(0)
                        .kafkaBootstrapServers(TestKafka.bootstrapServers())
                        .monitorsTopic(topic)
                        .defaultMonitorQuota(1_000_000)
                        .dbPoolSize(Integer.getInteger("bench.dbPool", 16))
                        // Measures what a request costs, not the per-tenant rate limits.
                        .writeLimit(0, 0)
                        .readLimit(0, 0)
                        .build();
        List<String> rows = new ArrayList<>();
        try (ControlApi api = ControlApi.start(config, db.dataSource())) {
            Client client = new Client(api.baseUrl());
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                keys.add(client.createTenant("bench tenant " + i));
            }
            run("warm-up", client, keys, 2000, Client::createMonitor);
            run("warm-up", client, keys, 2000, Client::listMonitors);

            Result create = run("create-monitor", client, keys, requests, Client::createMonitor);
            Instant createdAt = Instant.now();
            Duration drained = awaitDrainedOutbox(db.dataSource());
            long published = publishedRows(db.dataSource());
            Result list = run("list-monitors", client, keys, requests, Client::listMonitors);
            List<String> oneTenant = List.of(keys.get(0));
            Result createOne =
                    run(
                            "create-monitor",
                            client,
                            java.util.Collections.nCopies(clients, oneTenant.get(0)),
                            requests / 4,
                            Client::createMonitor);
            Duration backlog = awaitDrainedOutbox(db.dataSource());
            Bulk batches =
                    bulk(
                            "batch-create",
                            bulkMonitors,
                            () -> {
                                String key = client.createTenant("bulk tenant");
                                for (int from = 0; from < bulkMonitors; from += 1000) {
                                    client.expect(
                                            201,
                                            client.batchCreate(
                                                    key,
                                                    from,
                                                    Math.min(1000, bulkMonitors - from)));
                                }
                            },
                            db.dataSource());
            Bulk urlImport =
                    bulk(
                            "import-urls",
                            bulkMonitors,
                            () ->
                                    client.expect(
                                            201,
                                            client.importUrls(
                                                    client.createTenant("import tenant"),
                                                    bulkMonitors)),
                            db.dataSource());
            rows.add(create.row(clients + " tenants"));
            rows.add(createOne.row("1 tenant"));
            rows.add(list.row(clients + " tenants"));
            rows.add(
                    String.format(
                            Locale.ROOT,
                            "outbox relay: %d events published; backlog after the create phase"
                                    + " drained %.1f s after it ended (started %s)",
                            published,
                            drained.toMillis() / 1000.0,
                            createdAt));
            rows.add("");
            rows.add(
                    String.format(
                            Locale.ROOT,
                            "bulk (1 tenant, 1 client; outbox backlog before: drained in %.1f s)",
                            backlog.toMillis() / 1000.0));
            rows.add(batches.row("10 x POST /v1/monitors/batch (1000 each)"));
            rows.add(urlImport.row("1 x POST /v1/imports/urls (text/plain)"));
            rows.add(String.format(Locale.ROOT, "load average at the start %.2f", loadAtStart));
            rows.add(
                    String.format(
                            Locale.ROOT,
                            "ratio batch-create / create-monitor: %.1fx (1 tenant), %.1fx (%d"
                                    + " tenants)",
                            batches.perSecond() / createOne.perSecond(),
                            batches.perSecond() / create.perSecond(),
                            clients));
        }
        write(rows, clients, requests);
    }

    /** One request of a phase; returns the HTTP status. */
    @FunctionalInterface
    private interface Call {
        int send(Client client, String apiKey, int n) throws Exception;
    }

    /** A bulk phase: monitors created, seconds until the last response, then until published. */
    private record Bulk(int monitors, double seconds, double publishedSeconds) {
        double perSecond() {
            return monitors / seconds;
        }

        String row(String how) {
            return String.format(
                    Locale.ROOT,
                    "%-44s %6d monitors in %6.2f s = %7.0f monitors/s; all published %6.2f s after"
                            + " the start",
                    how,
                    monitors,
                    seconds,
                    perSecond(),
                    publishedSeconds);
        }
    }

    @FunctionalInterface
    private interface BulkWork {
        void run() throws Exception;
    }

    private static Bulk bulk(String name, int monitors, BulkWork work, DataSource db)
            throws Exception {
        long start = System.nanoTime();
        work.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        awaitDrainedOutbox(db);
        double published = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "%s: %d monitors in %.2f s, %.0f/s, published after %.2f s%n",
                name,
                monitors,
                seconds,
                monitors / seconds,
                published);
        return new Bulk(monitors, seconds, published);
    }

    private record Result(String route, int requests, double seconds, long[] nanos, int errors) {
        double perSecond() {
            return requests / seconds;
        }

        String row(String tenants) {
            return String.format(
                    Locale.ROOT,
                    "%-16s %-11s %8d %10.0f %9.2f %9.2f %9.2f %9.2f %6d",
                    route,
                    tenants,
                    requests,
                    requests / seconds,
                    percentile(0.50),
                    percentile(0.99),
                    percentile(0.999),
                    nanos[nanos.length - 1] / 1e6,
                    errors);
        }

        double percentile(double p) {
            return nanos[(int) Math.min(nanos.length - 1, Math.ceil(p * nanos.length) - 1)] / 1e6;
        }
    }

    private static Result run(
            String route, Client client, List<String> keys, int requests, Call call)
            throws Exception {
        int threads = keys.size();
        long[] nanos = new long[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            String key = keys.get(t);
            futures.add(
                    pool.submit(
                            () -> {
                                int n;
                                while ((n = next.getAndIncrement()) < requests) {
                                    long t0 = System.nanoTime();
                                    int status = call.send(client, key, n);
                                    nanos[n] = System.nanoTime() - t0;
                                    if (status >= 300) {
                                        errors.incrementAndGet();
                                    }
                                }
                                return null;
                            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        Arrays.sort(nanos);
        Result result = new Result(route, requests, seconds, nanos, errors.get());
        System.out.printf(
                Locale.ROOT,
                "%s: %d requests, %.0f/s, p50 %.2f ms, p99 %.2f ms, errors %d%n",
                route,
                requests,
                requests / seconds,
                result.percentile(0.5),
                result.percentile(0.99),
                errors.get());
        return result;
    }

    /** A keep-alive HTTP client for the routes measured. */
    private static final class Client {
        private final String base;
        private final HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        Client(String base) {
            this.base = base;
        }

        String createTenant(String name) throws Exception {
            HttpResponse<String> r =
                    send(
                            HttpRequest.newBuilder(URI.create(base + "/v1/tenants"))
                                    .header("X-Admin-Token", ADMIN_TOKEN)
                                    .header("Content-Type", "application/json")
                                    .POST(body("{\"name\": \"" + name + "\"}")));
            return ModelCodec.mapper().readTree(r.body()).get("apiKey").asText();
        }

        int createMonitor(String apiKey, int n) throws Exception {
            return send(HttpRequest.newBuilder(URI.create(base + "/v1/monitors"))
                            .header("Authorization", "Bearer " + apiKey)
                            .header("Content-Type", "application/json")
                            .POST(body(monitorJson(n))))
                    .statusCode();
        }

        /** The body of monitor {@code n}, the same for single and batch creates. */
        private static String monitorJson(int n) {
            return "{\"name\": \"bench "
                    + n
                    + "\", \"sources\": [{\"url\": \"https://shop.example/item/"
                    + n
                    + "\", \"selector\": \"#price\"}], \"intervalSeconds\": 300,"
                    + " \"condition\": {\"type\": \"number\", \"op\": \"<\", \"value\": 50}}";
        }

        /** Monitors {@code from} to {@code from + n - 1} in one batch; returns the status. */
        int batchCreate(String apiKey, int from, int n) throws Exception {
            StringBuilder json = new StringBuilder("{\"monitors\": [");
            for (int i = from; i < from + n; i++) {
                json.append(i > from ? "," : "").append(monitorJson(i));
            }
            json.append("]}");
            return send(HttpRequest.newBuilder(URI.create(base + "/v1/monitors/batch"))
                            .header("Authorization", "Bearer " + apiKey)
                            .header("Content-Type", "application/json")
                            .POST(body(json.toString())))
                    .statusCode();
        }

        int importUrls(String apiKey, int n) throws Exception {
            StringBuilder list = new StringBuilder("# bench import\n");
            for (int i = 0; i < n; i++) {
                list.append("https://shop.example/import/").append(i).append('\n');
            }
            return send(HttpRequest.newBuilder(
                                    URI.create(
                                            base
                                                    + "/v1/imports/urls?selector=%23price"
                                                    + "&intervalSeconds=300"))
                            .header("Authorization", "Bearer " + apiKey)
                            .header("Content-Type", "text/plain")
                            .POST(body(list.toString())))
                    .statusCode();
        }

        void expect(int wanted, int status) {
            if (status != wanted) {
                throw new IllegalStateException("HTTP " + status + ", expected " + wanted);
            }
        }

        int listMonitors(String apiKey, int n) throws Exception {
            return send(HttpRequest.newBuilder(URI.create(base + "/v1/monitors?limit=50"))
                            .header("Authorization", "Bearer " + apiKey)
                            .GET())
                    .statusCode();
        }

        private static HttpRequest.BodyPublisher body(String json) {
            return HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8);
        }

        private HttpResponse<String> send(HttpRequest.Builder request)
                throws IOException, InterruptedException {
            return http.send(
                    request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    private static Duration awaitDrainedOutbox(DataSource db) throws Exception {
        long start = System.nanoTime();
        while (pendingRows(db) > 0) {
            if (System.nanoTime() - start > Duration.ofMinutes(10).toNanos()) {
                throw new IllegalStateException("outbox not drained within 10 minutes");
            }
            Thread.sleep(50);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static long pendingRows(DataSource db) throws Exception {
        return count(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL");
    }

    private static long publishedRows(DataSource db) throws Exception {
        return count(db, "SELECT count(*) FROM outbox WHERE published_at IS NOT NULL");
    }

    private static long count(DataSource db, String sql) throws Exception {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void write(List<String> rows, int clients, int requests) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("Control API: create-monitor, list-monitors and bulk creation over HTTP\n");
        out.append(
                String.format(
                        Locale.ROOT,
                        "%d concurrent clients (java.net.http, keep-alive); %d requests per phase"
                                + " after a warm-up; embedded PostgreSQL 17 on the same machine;"
                                + " outbox relayed to a real Kafka broker (child JVM); request log"
                                + " lines off%n",
                        clients,
                        requests));
        out.append(
                String.format(
                        Locale.ROOT,
                        "machine: %d CPUs, Java %s, %s, load average at the end %.2f%n%n",
                        Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.version"),
                        Instant.now(),
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        out.append(
                String.format(
                        "%-16s %-11s %8s %10s %9s %9s %9s %9s %6s%n",
                        "route",
                        "tenants",
                        "requests",
                        "requests/s",
                        "p50 ms",
                        "p99 ms",
                        "p99.9 ms",
                        "max ms",
                        "errors"));
        rows.forEach(r -> out.append(r).append('\n'));
        System.out.print(out);
        Path dir = Path.of(System.getProperty("bench.results", resultsDir()));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("api.txt"), out.toString());
    }

    /** bench/results from the repository root, results/ from the bench module (exec's cwd). */
    private static String resultsDir() {
        return Files.isDirectory(Path.of("bench", "results")) ? "bench/results" : "results";
    }
}
