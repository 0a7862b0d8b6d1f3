package dev.flinkwatch.bench.pipeline;

import com.sun.net.httpserver.HttpServer;
import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.llm.LlmConfig;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorEvent;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.model.Source;
import dev.flinkwatch.pipeline.MonitorPipeline;
import dev.flinkwatch.pipeline.MonitorPipelineJob;
import dev.flinkwatch.pipeline.PipelineOptions;
import dev.flinkwatch.testing.TestKafka;
import dev.flinkwatch.testing.TestPostgres;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Shared fetches on the real job (MiniCluster p=2, real Kafka and PostgreSQL) against a loopback
 * site that counts requests: N monitors on one URL versus N monitors on N URLs of the same host,
 * with default politeness (robots.txt off, loopback allow-listed), and the one-URL case again with
 * sharing off. After every monitor's first check, measures requests the site received, checks
 * completed and HOST_BUSY results per interval, over a few intervals.
 *
 * <p>Usage: {@code SharedFetchBenchmark [monitors=1000] [intervalSeconds=25] [intervals=3]}; prints
 * and appends to {@code bench/results/shared-fetch.md}.
 */
public final class SharedFetchBenchmark {
    static final AtomicLong CHECKS = new AtomicLong();
    static final AtomicLong HOST_BUSY = new AtomicLong();
    static final Map<UUID, Boolean> SEEN = new ConcurrentHashMap<>();

    private SharedFetchBenchmark() {}

    /** One run: which URLs the monitors watch, and the sharing window. */
    private record Scenario(String name, boolean oneUrl, Duration window) {}

    public static void main(String[] args) throws Exception {
        int monitors = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int interval = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        int intervals = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        // The pipeline caps the window at half the interval floor, which the benchmark sets to
        // its interval.
        Duration window =
                min(
                        FetchOptions.SHARED_WINDOW.defaultValue(),
                        Duration.ofSeconds(interval).dividedBy(2));

        Map<String, AtomicLong> hits = new ConcurrentHashMap<>();
        byte[] page =
                "<html><body><h1>Shop</h1><span id=price>$10</span></body></html>"
                        .getBytes(StandardCharsets.UTF_8);
        HttpServer site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        site.createContext(
                "/",
                exchange -> {
                    hits.computeIfAbsent(exchange.getRequestURI().getPath(), p -> new AtomicLong())
                            .incrementAndGet();
                    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                    exchange.sendResponseHeaders(200, page.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(page);
                    }
                });
        site.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        site.start();
        String base = "http://127.0.0.1:" + site.getAddress().getPort();

        StringBuilder table = new StringBuilder();
        table.append(
                String.format(
                        "%n## %s: %d monitors, interval %d s, %d intervals measured, window %s,"
                                + " politeness min-delay %s, MiniCluster p=2, %d cores%n%n",
                        Instant.now(),
                        monitors,
                        interval,
                        intervals,
                        window,
                        FetchOptions.MIN_DELAY_PER_HOST.defaultValue(),
                        Runtime.getRuntime().availableProcessors()));
        table.append(
                "| scenario | requests received / interval | checks / interval |"
                        + " HOST_BUSY / interval | distinct URLs requested |\n");
        table.append("|---|---|---|---|---|\n");
        for (Scenario scenario :
                List.of(
                        new Scenario("1 URL, shared", true, window),
                        new Scenario(monitors + " URLs (one host), shared", false, window),
                        new Scenario("1 URL, sharing off", true, Duration.ZERO))) {
            hits.clear();
            String row = run(scenario, monitors, interval, intervals, base, hits);
            System.out.println(row);
            table.append(row).append('\n');
        }
        site.stop(0);
        System.out.print(table);
        Path results = Path.of("bench/results/shared-fetch.md");
        Files.createDirectories(results.getParent());
        Files.writeString(
                results,
                table.toString(),
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        System.exit(0);
    }

    private static String run(
            Scenario scenario,
            int monitors,
            int interval,
            int intervals,
            String base,
            Map<String, AtomicLong> hits)
            throws Exception {
        CHECKS.set(0);
        HOST_BUSY.set(0);
        SEEN.clear();
        String topic = TestKafka.uniqueTopic("shared-monitors");
        String alerts = TestKafka.uniqueTopic("shared-alerts");
        TestKafka.createTopic(topic, 2, true);
        TestKafka.createTopic(alerts, 2, false);
        TestPostgres.Database db = TestPostgres.newMigratedDatabase();

        Configuration conf = FlinkTypes.apply(new Configuration());
        conf.set(PipelineOptions.KAFKA_BOOTSTRAP_SERVERS, TestKafka.bootstrapServers());
        conf.set(PipelineOptions.TOPIC_MONITORS, topic);
        conf.set(PipelineOptions.TOPIC_ALERTS, alerts);
        conf.set(PipelineOptions.TOPIC_CHECK_RESULTS, TestKafka.uniqueTopic("shared-results"));
        conf.set(PipelineOptions.KAFKA_GROUP_ID, "bench-" + topic);
        conf.set(PipelineOptions.TRANSACTIONAL_ID_PREFIX, "tx-" + topic);
        conf.set(PipelineOptions.JDBC_URL, db.jdbcUrl());
        conf.set(PipelineOptions.JDBC_USER, db.user());
        conf.set(PipelineOptions.MIN_INTERVAL_SECONDS, interval);
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        conf.set(FetchOptions.ALLOW_LIST, List.of("127.0.0.1/32"));
        conf.set(FetchOptions.ROBOTS_ENABLED, false);
        conf.set(FetchOptions.SHARED_WINDOW, scenario.window());

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        MonitorPipeline.Sinks real = MonitorPipelineJob.sinks(conf);
        MonitorPipelineJob.wire(
                env,
                conf,
                LlmConfig.fromEnv(Map.of()),
                new MonitorPipeline.Sinks(
                        real.alertStore(),
                        real.alertTopic(),
                        new Tally(),
                        real.checkRuns(),
                        real.status()));
        JobClient job = env.executeAsync("shared-fetch-bench");
        try {
            produce(topic, monitors, interval, base, scenario.oneUrl());
            // After the first wave (every monitor checked once, or skipped), steady rounds.
            long warmDeadline = System.nanoTime() + Duration.ofSeconds(interval * 4L).toNanos();
            while (SEEN.size() < monitors && System.nanoTime() < warmDeadline) {
                Thread.sleep(200);
            }
            long requests0 = total(hits);
            long checks0 = CHECKS.get();
            long busy0 = HOST_BUSY.get();
            Thread.sleep(interval * 1000L * intervals);
            double requests = (total(hits) - requests0) / (double) intervals;
            double checks = (CHECKS.get() - checks0) / (double) intervals;
            double busy = (HOST_BUSY.get() - busy0) / (double) intervals;
            return String.format(
                    "| %s | %.1f | %.0f | %.0f | %d |",
                    scenario.name(), requests, checks, busy, hits.size());
        } finally {
            job.cancel().get();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static long total(Map<String, AtomicLong> hits) {
        return hits.values().stream().mapToLong(AtomicLong::get).sum();
    }

    private static void produce(String topic, int n, int interval, String base, boolean oneUrl)
            throws Exception {
        UUID tenant = UUID.randomUUID();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(TestKafka.producerProperties())) {
            for (int i = 0; i < n; i++) {
                UUID id = UUID.randomUUID();
                String url = base + (oneUrl ? "/product" : "/product/" + i);
                MonitorSpec spec =
                        new MonitorSpec(
                                id,
                                tenant,
                                1,
                                "shared " + i,
                                List.of(new Source(url, "#price")),
                                interval,
                                Condition.anyChange(),
                                List.of(),
                                null,
                                MonitorStatus.ACTIVE);
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                id.toString().getBytes(StandardCharsets.UTF_8),
                                ModelCodec.encode(MonitorEvent.upsert(spec))));
            }
        }
    }

    /** Counts check results, and the checks skipped as HOST_BUSY. */
    static final class Tally implements Sink<CheckResult> {
        @Override
        public SinkWriter<CheckResult> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(CheckResult result, Context ctx) {
                    CHECKS.incrementAndGet();
                    SEEN.put(result.monitorId(), Boolean.TRUE);
                    if (FetchStatus.HOST_BUSY.name().equals(result.errorCode())) {
                        HOST_BUSY.incrementAndGet();
                    }
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
