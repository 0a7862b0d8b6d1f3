package dev.flinkwatch.bench.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkwatch.bench.profile.WindowProfiler;
import dev.flinkwatch.fetch.FetchConfig;
import dev.flinkwatch.fetch.FetchFunction;
import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.fetch.HostResolver;
import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.flink.UuidTypeInfo;
import dev.flinkwatch.llm.LlmConfig;
import dev.flinkwatch.llm.LlmEvaluator;
import dev.flinkwatch.model.CheckRequest;
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
import dev.flinkwatch.pipeline.PipelineSettings;
import dev.flinkwatch.pipeline.schedule.MonitorScheduler;
import dev.flinkwatch.pipeline.sink.MonitorEventDeserializer;
import dev.flinkwatch.render.RenderConfig;
import dev.flinkwatch.render.RenderFunction;
import dev.flinkwatch.testing.TestKafka;
import dev.flinkwatch.testing.TestPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Benchmarks the monitor pipeline on a local MiniCluster with N monitors at a compressed interval
 * against a fast local site (nginx from {@code bench/target-site.sh}, ETags on, so over 99% of
 * checks are 304/unchanged). Two modes:
 *
 * <ul>
 *   <li>{@code schedule}: the scheduler alone (fetch replaced by nothing): timers fired/s, timer
 *       lateness, heap bytes per monitor (heap backend) or checkpointed bytes per monitor (RocksDB
 *       backend), checkpoint duration.
 *   <li>{@code pipeline}: the whole topology with the real fetcher and sinks (PostgreSQL, Kafka
 *       alerts exactly-once); check results are counted instead of written to Kafka.
 * </ul>
 *
 * <p>Pages ({@code pipeline} mode), over {@value #HOSTS} host names {@code hN.bench} that the
 * benchmark's resolver points at the target's address: {@code etag} (default) fetches {@code
 * /p/N.html}, answered 304 after the first check; {@code differing} fetches {@code /d/N.html},
 * which differs on every response outside {@code #price} and has no validators (every check
 * downloads, parses and extracts).
 *
 * <p>Usage: {@code PipelineBenchmark <schedule|pipeline> <monitors> <intervalSeconds>
 * <measureSeconds> <hashmap|rocksdb> [targetBase] [etag|differing] [settleSeconds]
 * [full|incremental]}: after every monitor was checked once it waits {@code settleSeconds} (default
 * 2) before measuring; checkpoints are full unless {@code incremental}. Besides rate, lateness and
 * job CPU it reports the checkpoints triggered in the measured window (count, max and mean
 * duration, state size, bytes each wrote) and the JVM's RSS (now and peak); appends a line to
 * {@code bench/results/pipeline.txt}. {@code -Dflinkwatch.<option>=<value>} sets a pipeline or
 * fetch option (e.g. {@code -Dflinkwatch.fetch.template-memory-size=0}: every page parsed); the
 * line names them.
 */
public final class PipelineBenchmark {
    /** Checks counted by the sink, and their lateness distribution (ms buckets). */
    static final AtomicLong CHECKS = new AtomicLong();

    static final AtomicLongArray LATENESS_MS = new AtomicLongArray(100_001);
    static final Map<UUID, Boolean> SEEN = new ConcurrentHashMap<>();

    /** Checks of the measured window by outcome (or error code). */
    static final Map<String, AtomicLong> KINDS = new ConcurrentHashMap<>();

    /** Tenants the monitors are spread over. */
    static final int TENANTS = 1000;

    /** Host names the pages are spread over (as production spreads monitors over sites). */
    static final int HOSTS = 1000;

    private PipelineBenchmark() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int monitors = Integer.parseInt(args[1]);
        int interval = Integer.parseInt(args[2]);
        int measureSeconds = Integer.parseInt(args[3]);
        String backend = args[4];
        String target = args.length > 5 ? args[5] : "http://127.0.0.1:18080";
        boolean differing = args.length > 6 && args[6].equals("differing");
        int settleSeconds = args.length > 7 ? Integer.parseInt(args[7]) : 2;
        boolean incremental = args.length > 8 && args[8].equals("incremental");

        String topic = TestKafka.uniqueTopic("bench-monitors");
        TestKafka.createTopic(topic, 2, true);
        Path checkpoints = Files.createTempDirectory("bench-checkpoints");
        int restPort = 18_081 + (int) (Math.random() * 1000);

        Configuration conf = FlinkTypes.apply(new Configuration());
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, 2);
        conf.set(RestOptions.PORT, restPort);
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(20));
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, incremental);
        // every checkpoint of a long measured window, not only the last ten
        conf.set(org.apache.flink.configuration.WebOptions.CHECKPOINTS_HISTORY_SIZE, 500);
        if (backend.equals("rocksdb")) {
            // RocksDB's block cache and write buffers (MiniCluster's default is 128 MiB)
            conf.set(
                    TaskManagerOptions.MANAGED_MEMORY_SIZE,
                    org.apache.flink.configuration.MemorySize.parse("512m"));
        }
        conf.set(PipelineOptions.MIN_INTERVAL_SECONDS, 1);
        conf.set(PipelineOptions.KAFKA_BOOTSTRAP_SERVERS, TestKafka.bootstrapServers());
        conf.set(PipelineOptions.TOPIC_MONITORS, topic);
        conf.set(PipelineOptions.FETCH_CAPACITY, 2000);
        // one local server stands in for every site: politeness would cap the run at a few per s
        conf.set(FetchOptions.ALLOW_LIST, List.of("127.0.0.1/32"));
        conf.set(FetchOptions.MAX_CONCURRENT_PER_HOST, 512);
        conf.set(FetchOptions.MIN_DELAY_PER_HOST, Duration.ZERO);
        conf.set(FetchOptions.ROBOTS_ENABLED, false);
        // the host names stand for many servers (one address here): only the per-host limits
        // apply, or a saturated run ends checks HOST_BUSY at the one address's gate
        conf.set(FetchOptions.MAX_CONCURRENT_PER_ADDRESS, 1_000_000);
        // -Dflinkwatch.<option>=<value> sets any pipeline or fetch option (say, templates off)
        Map<String, String> overrides = new java.util.TreeMap<>();
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("flinkwatch.")) {
                overrides.put(key, System.getProperty(key));
            }
        }
        conf.addAll(Configuration.fromMap(overrides));

        System.gc();
        long heapBefore = usedHeap();
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        env.setParallelism(2);
        KafkaSource<MonitorEvent> source =
                KafkaSource.<MonitorEvent>builder()
                        .setBootstrapServers(TestKafka.bootstrapServers())
                        .setTopics(topic)
                        .setGroupId("bench")
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new MonitorEventDeserializer())
                        .build();
        DataStream<MonitorEvent> events =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "monitors").uid("src");
        if (mode.equals("schedule")) {
            events.keyBy(MonitorEvent::monitorId, UuidTypeInfo.INSTANCE)
                    .process(
                            new MonitorScheduler(
                                    1,
                                    Duration.ofMinutes(10),
                                    Duration.ofMinutes(10),
                                    Duration.ofSeconds(interval)),
                            FlinkTypes.info(CheckRequest.class))
                    .uid("monitor-scheduler")
                    .sinkTo(
                            new CountingSink<>(
                                    r -> r.scheduledAt(), r -> r.monitorId(), r -> "SCHEDULED"));
        } else {
            // the bench loads every monitor at once: spread first checks like steady state
            conf.set(PipelineOptions.FIRST_CHECK_SPREAD, Duration.ofSeconds(interval));
            // the committed-alerts source reads the alerts topic from the start: it must exist
            String alerts = TestKafka.uniqueTopic("bench-alerts");
            TestKafka.createTopic(alerts, 2, false);
            conf.set(PipelineOptions.TOPIC_ALERTS, alerts);
            var db = TestPostgres.newMigratedDatabase();
            conf.set(PipelineOptions.JDBC_URL, db.jdbcUrl());
            conf.set(PipelineOptions.JDBC_USER, db.user());
            var sinks = MonitorPipelineJob.sinks(conf);
            FetchConfig fetchConfig = PipelineSettings.fetchConfig(conf);
            MonitorPipeline.Outputs out =
                    MonitorPipeline.build(
                            events,
                            MonitorPipelineJob.committedAlerts(env, conf),
                            new FetchFunction(fetchConfig, benchHosts(target)),
                            new RenderFunction(RenderConfig.from(conf), fetchConfig),
                            new LlmEvaluator(LlmConfig.fromEnv(Map.of())),
                            PipelineSettings.from(
                                    conf,
                                    Duration.ofMillis(FetchFunction.asyncTimeoutMs(fetchConfig))),
                            new MonitorPipeline.Sinks(
                                    sinks.alertStore(),
                                    sinks.alertTopic(),
                                    new CountingSink<CheckResult>(
                                            r -> r.scheduledAt(),
                                            r -> r.monitorId(),
                                            r ->
                                                    r.errorCode() == null
                                                            ? r.outcome().name()
                                                            : r.errorCode()),
                                    sinks.checkRuns(),
                                    sinks.status()));
        }
        JobClient job = env.executeAsync("bench-" + mode);

        long loadStart = System.nanoTime();
        produceMonitors(topic, monitors, interval, target, differing);
        System.out.printf(
                "produced %d monitor events in %.1f s%n",
                monitors, (System.nanoTime() - loadStart) / 1e9);

        // warm up: every monitor checked once (baselines taken, first wave of parsing done)
        long warmDeadline = System.nanoTime() + Duration.ofSeconds(interval * 3L + 120).toNanos();
        while (SEEN.size() < monitors && System.nanoTime() < warmDeadline) {
            Thread.sleep(500);
        }
        System.out.printf("warm: %d of %d monitors checked%n", SEEN.size(), monitors);
        // steady state: the JIT compiles for minutes after the first wave (15% of the CPU in the
        // first minute on differing pages), which a short run would count as the pipeline's cost
        Thread.sleep(Math.max(2, settleSeconds) * 1000L);
        resetLateness();
        KINDS.clear();
        var os =
                (com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        WindowProfiler profiler = WindowProfiler.start();
        long measureStart = System.currentTimeMillis();
        long c0 = CHECKS.get();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread.sleep(measureSeconds * 1000L);
        profiler.stop();
        long checks = CHECKS.get() - c0;
        double seconds = (System.nanoTime() - t0) / 1e9;
        // CPU of this JVM only (the Flink job); the broker, PostgreSQL and nginx run elsewhere
        double jobCores = (os.getProcessCpuTime() - cpu0) / 1e9 / seconds;
        double rate = checks / seconds;
        // checks that read the page (or got a 304): skipped and failed checks cost far less
        long fetched =
                KINDS.entrySet().stream()
                        .filter(e -> List.of("FIRST", "UNCHANGED", "CHANGED").contains(e.getKey()))
                        .mapToLong(e -> e.getValue().get())
                        .sum();
        double fetchedRate = fetched / seconds;
        long p50 = percentile(0.50);
        long p99 = percentile(0.99);

        System.gc();
        long heapAfter = usedHeap();
        long rssKb = procStatusKb("VmRSS");
        long peakRssKb = procStatusKb("VmHWM");
        JsonNode cp = latestCheckpoint(restPort, job.getJobID().toString(), Duration.ofSeconds(90));
        CheckpointStats window =
                CheckpointStats.of(
                        checkpointsOf(restPort, job.getJobID().toString()).path("history"),
                        measureStart,
                        System.currentTimeMillis());
        job.cancel().get();

        long stateBytes =
                cp == null
                        ? -1
                        : cp.path("state_size").asLong(cp.path("checkpointed_size").asLong(-1));
        long cpMillis = cp == null ? -1 : cp.path("end_to_end_duration").asLong(-1);
        String line =
                String.format(
                        "%s mode=%s pages=%s backend=%s monitors=%d interval=%ds measured=%.0fs"
                                + " checks/s=%.0f"
                                + " expected/s=%.0f lateness_p50_ms=%d lateness_p99_ms=%d"
                                + " heap_bytes_per_monitor=%d checkpoint_bytes_per_monitor=%d"
                                + " checkpoint_ms=%d cores=%d job_cpu_cores=%.2f"
                                + " checks_per_job_core_s=%.0f fetched_checks/s=%.0f"
                                + " fetched_checks_per_job_core_s=%.0f settle=%ds incremental=%s %s"
                                + " rss_mib=%d peak_rss_mib=%d outcomes=%s%s",
                        Instant.now(),
                        mode,
                        differing ? "differing" : "etag",
                        backend,
                        monitors,
                        interval,
                        seconds,
                        rate,
                        monitors / (double) interval,
                        p50,
                        p99,
                        backend.equals("hashmap") ? (heapAfter - heapBefore) / monitors : -1,
                        stateBytes < 0 ? -1 : stateBytes / monitors,
                        cpMillis,
                        Runtime.getRuntime().availableProcessors(),
                        jobCores,
                        rate / jobCores,
                        fetchedRate,
                        fetchedRate / jobCores,
                        settleSeconds,
                        incremental,
                        window,
                        rssKb / 1024,
                        peakRssKb / 1024,
                        new java.util.TreeMap<>(KINDS).toString().replace(" ", ""),
                        overrides.isEmpty()
                                ? ""
                                : " options=" + overrides.toString().replace(" ", ""));
        System.out.println(line);
        Path results = Path.of("bench/results/pipeline.txt");
        Files.createDirectories(results.getParent());
        Files.writeString(
                results,
                line + "\n",
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        System.exit(0);
    }

    /** hN.bench: the target's address; nothing else resolves. */
    private static HostResolver benchHosts(String target) {
        String address = URI.create(target).getHost();
        return host -> {
            if (host.endsWith(".bench")) {
                return List.of(
                        InetAddress.getByAddress(
                                host, InetAddress.getByName(address).getAddress()));
            }
            throw new UnknownHostException(host);
        };
    }

    /**
     * Every monitor watches its own URL ({@code ?m=i}; nginx ignores the query): the shared fetch
     * would otherwise serve 100 monitors per page from one response (SharedFetchBenchmark measures
     * that), and this benchmark measures the cost of a check.
     */
    private static void produceMonitors(
            String topic, int n, int interval, String target, boolean differing) throws Exception {
        int port = URI.create(target).getPort();
        var props = TestKafka.producerProperties();
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // Monitors belong to many tenants, as in production: one tenant's in-flight cap
        // (max-in-flight-per-tenant) would otherwise end most checks TENANT_BUSY at saturation.
        UUID[] tenants = new UUID[TENANTS];
        for (int t = 0; t < TENANTS; t++) {
            tenants[t] = UUID.randomUUID();
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < n; i++) {
                UUID id = UUID.randomUUID();
                MonitorSpec spec =
                        new MonitorSpec(
                                id,
                                tenants[i % TENANTS],
                                1,
                                "bench " + i,
                                List.of(
                                        new Source(
                                                "http://h"
                                                        + (i % HOSTS)
                                                        + ".bench:"
                                                        + port
                                                        + (differing ? "/d/" : "/p/")
                                                        + (i % 1000)
                                                        + ".html?m="
                                                        + i,
                                                "#price")),
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

    private static JsonNode latestCheckpoint(int port, String jobId, Duration wait)
            throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                JsonNode completed = checkpointsOf(port, jobId).path("latest").path("completed");
                if (!completed.isMissingNode() && !completed.isNull()) {
                    return completed;
                }
            } catch (IOException e) {
                // REST not up yet
            }
            Thread.sleep(1000);
        }
        return null;
    }

    /** The job's checkpoint statistics (REST {@code /jobs/:id/checkpoints}). */
    private static JsonNode checkpointsOf(int port, String jobId) throws Exception {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://127.0.0.1:"
                                                                + port
                                                                + "/jobs/"
                                                                + jobId
                                                                + "/checkpoints"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(r.body());
    }

    /**
     * The completed checkpoints triggered in the measured window: how many, their end-to-end
     * duration (max, mean) and size (full state, and what each one wrote: incremental).
     */
    record CheckpointStats(
            int count,
            long maxMillis,
            long meanMillis,
            long maxStateBytes,
            long meanCheckpointedBytes) {
        static CheckpointStats of(JsonNode history, long fromMillis, long toMillis) {
            int n = 0;
            long max = 0;
            long sum = 0;
            long maxState = 0;
            long written = 0;
            for (JsonNode c : history) {
                long triggered = c.path("trigger_timestamp").asLong();
                if (!c.path("status").asText().equals("COMPLETED")
                        || triggered < fromMillis
                        || triggered > toMillis) {
                    continue;
                }
                long d = c.path("end_to_end_duration").asLong();
                n++;
                max = Math.max(max, d);
                sum += d;
                maxState = Math.max(maxState, c.path("state_size").asLong());
                written += c.path("checkpointed_size").asLong();
            }
            return new CheckpointStats(
                    n, max, n == 0 ? -1 : sum / n, maxState, n == 0 ? -1 : written / n);
        }

        @Override
        public String toString() {
            return String.format(
                    "window_checkpoints=%d window_checkpoint_max_ms=%d window_checkpoint_mean_ms=%d"
                            + " window_state_max_bytes=%d window_checkpointed_mean_bytes=%d",
                    count, maxMillis, meanMillis, maxStateBytes, meanCheckpointedBytes);
        }
    }

    /** A {@code /proc/self/status} field in KiB (Linux), -1 elsewhere. */
    private static long procStatusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static void resetLateness() {
        for (int i = 0; i < LATENESS_MS.length(); i++) {
            LATENESS_MS.set(i, 0);
        }
    }

    private static long percentile(double p) {
        long total = 0;
        for (int i = 0; i < LATENESS_MS.length(); i++) {
            total += LATENESS_MS.get(i);
        }
        long rank = (long) Math.ceil(total * p);
        long seen = 0;
        for (int i = 0; i < LATENESS_MS.length(); i++) {
            seen += LATENESS_MS.get(i);
            if (seen >= rank && total > 0) {
                return i;
            }
        }
        return -1;
    }

    /** Counts records and the lateness of their dispatch (now - due time). */
    static final class CountingSink<T> implements Sink<T> {
        private final org.apache.flink.util.function.SerializableFunction<T, Instant> due;
        private final org.apache.flink.util.function.SerializableFunction<T, UUID> monitor;
        private final org.apache.flink.util.function.SerializableFunction<T, String> kind;

        CountingSink(
                org.apache.flink.util.function.SerializableFunction<T, Instant> due,
                org.apache.flink.util.function.SerializableFunction<T, UUID> monitor,
                org.apache.flink.util.function.SerializableFunction<T, String> kind) {
            this.due = due;
            this.monitor = monitor;
            this.kind = kind;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) {
                    CHECKS.incrementAndGet();
                    KINDS.computeIfAbsent(kind.apply(element), k -> new AtomicLong())
                            .incrementAndGet();
                    SEEN.put(monitor.apply(element), Boolean.TRUE);
                    long late = System.currentTimeMillis() - due.apply(element).toEpochMilli();
                    LATENESS_MS.incrementAndGet((int) Math.max(0, Math.min(late, 100_000)));
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
