package dev.flinkwatch.bench.fetch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flinkwatch.fetch.FetchConfig;
import dev.flinkwatch.fetch.FetchFunction;
import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.fetch.FetchResult;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.fetch.HostResolver;
import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.model.CheckRequest;
import dev.flinkwatch.pipeline.fetch.HostPacer;
import dev.flinkwatch.testing.Tarpit;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Healthy fetch throughput with and without tarpits, in the same run: the pipeline's fetch stage
 * (keyBy host, {@link HostPacer}, {@code AsyncDataStream.unorderedWait} over {@link FetchFunction},
 * skipped checks unioned back) in a local MiniCluster, once with only healthy monitors and once
 * with 10% of all monitors pointing at tarpits (half header-then-silence, half one byte per second,
 * on their own address 127.0.0.2), alternating in rounds; the ratio of healthy OK checks per second
 * (tarpit run / clean run) is the figure, goal at least 0.8.
 *
 * <p>The healthy sites are an in-process server (8.5 KB pages, keep-alive) on {@value
 * #HEALTHY_ADDRESSES} loopback addresses (127.0.0.1 and 127.0.0.3 upwards, one port), standing in
 * for sites on many servers; {@value #HOSTS} host names spread over them. Fetch settings are the
 * defaults except: loopback allow-listed, no minimum delay and 16 requests per host name (one local
 * server stands in for many sites). So what bounds the tarpits is the real thing: the per-address
 * cap and its bounded wait list, the bounded robots.txt wait, the minimum transfer rate (SLOW_BODY
 * after the 5 s grace) and no retry of a stalled exchange. Rates count between the first and the
 * last healthy OK result, so job start-up and the tarpits' tail are not included.
 *
 * <p>Run: {@code mvn -B -o -q compile exec:exec -pl bench -am -Dexec.executable=java
 * "-Dexec.args=-Xmx2g -cp %classpath dev.flinkwatch.bench.fetch.FetchFairnessBenchmark"} (or
 * bench/run.sh); writes {@code bench/results/fetch-fairness.txt}. Options: {@code
 * -Dbench.fairness.healthy=30000} healthy checks per run, {@code -Dbench.fairness.rounds=3}, {@code
 * -Dbench.fairness.parallelism=2}, {@code -Dbench.fairness.capacity=128} (in flight per subtask).
 */
public final class FetchFairnessBenchmark {
    private static final int HOSTS = 64;
    private static final int TARPIT_HOSTS = 32;
    private static final int HEALTHY_ADDRESSES = 16;
    private static final int PAGES = 1000;
    private static final int TENANTS = 16;

    private static final int HEALTHY = Integer.getInteger("bench.fairness.healthy", 30_000);
    private static final int ROUNDS = Integer.getInteger("bench.fairness.rounds", 3);
    private static final int PARALLELISM = Integer.getInteger("bench.fairness.parallelism", 2);
    private static final int CAPACITY = Integer.getInteger("bench.fairness.capacity", 128);

    // The job runs in this JVM (MiniCluster): results are timed and counted through statics.
    private static final AtomicLong FIRST_OK = new AtomicLong();
    private static final AtomicLong LAST_OK = new AtomicLong();
    private static final Map<String, LongAdder> OUTCOMES = new ConcurrentHashMap<>();

    private static int healthyPort;
    private static int silentPort;
    private static int tricklePort;

    private FetchFairnessBenchmark() {}

    public static void main(String[] args) throws Exception {
        ExecutorService serverThreads = Executors.newFixedThreadPool(8);
        List<HttpServer> healthy = startHealthySites(serverThreads);
        try (Tarpit silent = Tarpit.start("127.0.0.2", Tarpit.Mode.SILENT, 5_000_000);
                Tarpit trickle = Tarpit.start("127.0.0.2", Tarpit.Mode.TRICKLE, 5_000_000)) {
            silentPort = silent.port();
            tricklePort = trickle.port();
            System.out.printf(
                    "healthy sites on %d addresses port %d; tarpits 127.0.0.2:%d (silent),"
                            + " :%d (1 byte/s); %d healthy checks per run, parallelism %d x"
                            + " capacity %d%n",
                    HEALTHY_ADDRESSES,
                    healthyPort,
                    silentPort,
                    tricklePort,
                    HEALTHY,
                    PARALLELISM,
                    CAPACITY);
            run(HEALTHY / 5, false); // warm-up: JIT, connections, Flink classes
            List<Run> clean = new ArrayList<>();
            List<Run> hostile = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                // the machine is shared: alternate the order and compare medians
                if (round % 2 == 1) {
                    hostile.add(run(HEALTHY, true));
                }
                clean.add(run(HEALTHY, false));
                if (round % 2 == 0) {
                    hostile.add(run(HEALTHY, true));
                }
                System.out.printf(
                        "round %d: clean %.0f healthy checks/s %s, with tarpits %.0f/s %s"
                                + " (tarpit checks %s)%n",
                        round + 1,
                        clean.get(round).rate,
                        clean.get(round).healthyOutcomes,
                        hostile.get(round).rate,
                        hostile.get(round).healthyOutcomes,
                        hostile.get(round).outcomes);
            }
            String report = report(clean, hostile);
            System.out.println(report);
            String defaultDir = Files.isDirectory(Path.of("bench")) ? "bench/results" : "results";
            Path dir = Path.of(System.getProperty("bench.results", defaultDir));
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("fetch-fairness.txt"), report, StandardCharsets.UTF_8);
            System.out.println("written to " + dir.resolve("fetch-fairness.txt").toAbsolutePath());
        } finally {
            healthy.forEach(s -> s.stop(0));
            serverThreads.shutdownNow();
        }
        System.exit(0); // netty and Flink leave non-daemon threads behind
    }

    /**
     * @param rate healthy OK checks per second
     * @param healthyNotOk healthy checks that did not end OK
     * @param healthyOutcomes outcome counts of the healthy checks
     * @param outcomes outcome counts of the tarpit checks
     */
    private record Run(
            double rate,
            long healthyNotOk,
            Map<FetchStatus, Long> healthyOutcomes,
            Map<FetchStatus, Long> outcomes) {}

    private static Run run(int healthyChecks, boolean withTarpits) throws Exception {
        Configuration conf = new Configuration();
        conf.set(FetchOptions.ALLOW_LIST, List.of("127.0.0.0/8"));
        conf.set(FetchOptions.MIN_DELAY_PER_HOST, Duration.ZERO);
        conf.set(FetchOptions.MAX_CONCURRENT_PER_HOST, 16);
        FetchConfig config = FetchConfig.from(conf);
        // one tarpit check in ten: healthy / 9 of them
        long total = withTarpits ? healthyChecks + healthyChecks / 9 : healthyChecks;

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        FlinkTypes.apply(new Configuration()));
        env.setParallelism(PARALLELISM);
        DataStream<CheckRequest> checks =
                env.fromSequence(0, total - 1)
                        .map(i -> request(i, withTarpits))
                        .returns(TypeInformation.of(CheckRequest.class));
        SingleOutputStreamOperator<CheckRequest> paced =
                checks.keyBy(FetchFunction.byHost())
                        .process(new HostPacer(config), FlinkTypes.info(CheckRequest.class))
                        .name("HostPacer");
        DataStream<FetchResult> results =
                AsyncDataStream.unorderedWait(
                                paced,
                                new FetchFunction(config, benchHosts()),
                                FetchFunction.asyncTimeoutMs(config),
                                TimeUnit.MILLISECONDS,
                                CAPACITY)
                        .returns(FlinkTypes.info(FetchResult.class))
                        .union(paced.getSideOutput(HostPacer.SKIPPED));
        FIRST_OK.set(0);
        LAST_OK.set(0);
        OUTCOMES.clear();
        // Counted in the map (same JVM), not collected: the collect sink may drop the tail
        // of a job that ends while its results are being fetched.
        results.map(new Outcome())
                .returns(Integer.class)
                .sinkTo(new DiscardingSink<>())
                .name("discard");
        env.execute("fairness");
        long received = OUTCOMES.values().stream().mapToLong(LongAdder::sum).sum();
        if (received != total) {
            throw new IllegalStateException("expected " + total + " results, got " + received);
        }
        long healthyOk = count("healthy", FetchStatus.OK);
        double seconds = (LAST_OK.get() - FIRST_OK.get()) / 1e9;
        return new Run(
                (healthyOk - 1) / seconds,
                healthyChecks - healthyOk,
                outcomes("healthy"),
                outcomes("tarpit"));
    }

    private static Map<FetchStatus, Long> outcomes(String kind) {
        Map<FetchStatus, Long> counts = new EnumMap<>(FetchStatus.class);
        for (FetchStatus s : FetchStatus.values()) {
            long n = count(kind, s);
            if (n > 0) {
                counts.put(s, n);
            }
        }
        return counts;
    }

    private static long count(String kind, FetchStatus status) {
        LongAdder n = OUTCOMES.get(kind + " " + status);
        return n == null ? 0 : n.sum();
    }

    /** Every tenth check a tarpit one when {@code withTarpits}; tenants and hosts round-robin. */
    private static CheckRequest request(long i, boolean withTarpits) {
        String url;
        if (withTarpits && i % 10 == 9) {
            long t = i / 10;
            int port = t % 2 == 0 ? silentPort : tricklePort;
            url = "http://t" + (t % TARPIT_HOSTS) + ".pit:" + port + "/p/" + (t % PAGES) + ".html";
        } else {
            url =
                    "http://h"
                            + (i % HOSTS)
                            + ".bench:"
                            + healthyPort
                            + "/p/"
                            + (i % PAGES)
                            + ".html";
        }
        return new CheckRequest(
                new UUID(0, i),
                new UUID(1, i % TENANTS),
                1,
                url,
                null,
                null,
                Instant.EPOCH,
                null,
                null,
                null,
                null);
    }

    /** hN.bench: the healthy addresses, round-robin; tN.pit: 127.0.0.2. */
    private static HostResolver benchHosts() {
        return host -> {
            if (host.endsWith(".pit")) {
                return List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 2}));
            }
            if (host.endsWith(".bench")) {
                int n = Integer.parseInt(host.substring(1, host.indexOf('.')));
                return List.of(
                        InetAddress.getByAddress(host, healthyAddress(n % HEALTHY_ADDRESSES)));
            }
            throw new UnknownHostException(host);
        };
    }

    /** 127.0.0.1, then 127.0.0.3 upwards (127.0.0.2 is the tarpits'). */
    private static byte[] healthyAddress(int index) {
        return new byte[] {127, 0, 0, (byte) (index == 0 ? 1 : index + 2)};
    }

    /** Times healthy OK results and counts outcomes per kind (healthy or tarpit). */
    private static final class Outcome implements MapFunction<FetchResult, Integer> {
        @Override
        public Integer map(FetchResult result) {
            boolean tarpit = result.request().url().contains(".pit:");
            if (!tarpit && result.status() == FetchStatus.OK) {
                long now = System.nanoTime();
                FIRST_OK.compareAndSet(0, now);
                LAST_OK.accumulateAndGet(now, Math::max);
            }
            OUTCOMES.computeIfAbsent(
                            (tarpit ? "tarpit " : "healthy ") + result.status(),
                            k -> new LongAdder())
                    .increment();
            return 1;
        }
    }

    private static List<HttpServer> startHealthySites(ExecutorService threads) throws IOException {
        byte[] page = page();
        List<HttpServer> servers = new ArrayList<>();
        for (int i = 0; i < HEALTHY_ADDRESSES; i++) {
            InetAddress address = InetAddress.getByAddress(healthyAddress(i));
            HttpServer server =
                    HttpServer.create(new InetSocketAddress(address, healthyPort), 1024);
            server.createContext("/", ex -> serve(ex, page));
            server.setExecutor(threads);
            server.start();
            healthyPort = server.getAddress().getPort(); // the first picks, the others follow
            servers.add(server);
        }
        return servers;
    }

    private static void serve(HttpExchange ex, byte[] page) throws IOException {
        try (ex) {
            ex.getRequestBody().readAllBytes();
            if (!ex.getRequestURI().getPath().startsWith("/p/")) {
                ex.sendResponseHeaders(404, -1); // robots.txt: none, allow all
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, page.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(page);
            }
        }
    }

    /** A product page of about 8.5 KB, like the nginx target site's. */
    private static byte[] page() {
        StringBuilder html = new StringBuilder("<html><head><title>Product</title></head><body>");
        for (int i = 0; html.length() < 8_500; i++) {
            html.append("<div class=\"item\"><span>Item ")
                    .append(i)
                    .append("</span> <span class=\"price\">$")
                    .append(10 + i)
                    .append(".99</span></div>\n");
        }
        return html.append("</body></html>").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String report(List<Run> clean, List<Run> hostile) {
        double cleanRate = median(clean.stream().map(Run::rate).toList());
        double hostileRate = median(hostile.stream().map(Run::rate).toList());
        long notOk =
                clean.stream().mapToLong(Run::healthyNotOk).sum()
                        + hostile.stream().mapToLong(Run::healthyNotOk).sum();
        List<String> lines = new ArrayList<>();
        lines.add("# Fetch fairness: healthy checks/s with 10% of monitors on tarpits vs none");
        lines.add(
                "# measured "
                        + Instant.now()
                        + " on "
                        + Runtime.getRuntime().availableProcessors()
                        + " cores (shared); fetch stage of the pipeline (HostPacer + FetchFunction)"
                        + " in a MiniCluster, parallelism "
                        + PARALLELISM
                        + " x capacity "
                        + CAPACITY);
        lines.add(
                "# "
                        + HEALTHY
                        + " healthy checks per run ("
                        + HOSTS
                        + " names on "
                        + HEALTHY_ADDRESSES
                        + " loopback addresses, in-process server, 8.5 KB pages); tarpit runs add"
                        + " one check in ten on "
                        + TARPIT_HOSTS
                        + " names at 127.0.0.2 (half headers-then-silence, half 1 byte/s)");
        for (int i = 0; i < clean.size(); i++) {
            lines.add(
                    String.format(
                            "# round %d: clean %.0f/s %s; with tarpits %.0f/s %s; tarpit checks %s",
                            i + 1,
                            clean.get(i).rate,
                            clean.get(i).healthyOutcomes,
                            hostile.get(i).rate,
                            hostile.get(i).healthyOutcomes,
                            hostile.get(i).outcomes));
        }
        lines.add(
                String.format(
                        "healthy, no tarpits            %10.0f checks/s (median)", cleanRate));
        lines.add(
                String.format(
                        "healthy, 10%% tarpits           %10.0f checks/s (median)", hostileRate));
        lines.add(
                String.format(
                        "ratio                          %10.2f (goal >= 0.80)",
                        hostileRate / cleanRate));
        lines.add(String.format("healthy checks not OK, all runs %9d", notOk));
        lines.add("");
        return String.join("\n", lines);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
