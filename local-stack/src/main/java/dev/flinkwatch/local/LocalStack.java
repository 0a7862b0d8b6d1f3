package dev.flinkwatch.local;

import dev.flinkwatch.api.ControlApi;
import dev.flinkwatch.api.ControlApiConfig;
import dev.flinkwatch.api.ops.ReadinessCheck;
import dev.flinkwatch.api.web.PreviewSettings;
import dev.flinkwatch.api.web.WebUiSettings;
import dev.flinkwatch.browser.BrowserConfig;
import dev.flinkwatch.browser.BrowserOptions;
import dev.flinkwatch.browser.BrowserService;
import dev.flinkwatch.delivery.DeliveryConfig;
import dev.flinkwatch.delivery.DeliveryOptions;
import dev.flinkwatch.delivery.DeliveryService;
import dev.flinkwatch.delivery.SecretBox;
import dev.flinkwatch.embedded.EmbeddedPostgresServer;
import dev.flinkwatch.embedded.KafkaBroker;
import dev.flinkwatch.embedded.ServerProcesses;
import dev.flinkwatch.fetch.FetchConfig;
import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.llm.LlmConfig;
import dev.flinkwatch.pipeline.MonitorPipeline;
import dev.flinkwatch.pipeline.MonitorPipelineJob;
import dev.flinkwatch.pipeline.PipelineOptions;
import dev.flinkwatch.render.RenderConfig;
import dev.flinkwatch.render.RenderOptions;
import dev.flinkwatch.schema.SchemaMigrations;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole platform in one JVM: embedded PostgreSQL and a KRaft Kafka broker (child JVM) with
 * their data in the data directory, the control API with its outbox relay, and a Flink MiniCluster
 * (web dashboard on) running the monitor pipeline under a {@link PipelineSupervisor}. The pipeline
 * checkpoints into the data directory and every start resumes from the latest checkpoint, so
 * monitors keep their baselines and schedules and no alert is raised twice.
 *
 * <p>The data directory belongs to one stack at a time ({@link DataDirLock}); servers left running
 * by a crashed stack are found by their pid files and stopped before the new ones start. Every part
 * that is started is a {@link Managed} service, stopped in reverse order by {@link #close()}: a new
 * part (delivery, the browser service) starts in {@link #startAll()} and registers itself with
 * {@link #manage(String, AutoCloseable)}.
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    private static final String DATABASE = "flinkwatch";
    private static final List<String> PRIVATE_RANGES =
            List.of(
                    "127.0.0.0/8",
                    "::1/128",
                    "10.0.0.0/8",
                    "172.16.0.0/12",
                    "192.168.0.0/16",
                    "100.64.0.0/10",
                    "fc00::/7");

    /** Options the stack sets from the services it runs; a user value for them is ignored. */
    private static final List<ConfigOption<?>> OWNED =
            List.of(
                    PipelineOptions.KAFKA_BOOTSTRAP_SERVERS,
                    PipelineOptions.JDBC_URL,
                    PipelineOptions.JDBC_USER,
                    PipelineOptions.JDBC_PASSWORD,
                    CheckpointingOptions.CHECKPOINTS_DIRECTORY);

    /** A started part of the stack and how to stop it. */
    private record Managed(String name, AutoCloseable stopper) {}

    private final Configuration options;
    private final LlmConfig llm;
    private final Path dataDir;
    private final Deque<Managed> started = new ArrayDeque<>();
    private final RetainedCheckpoints checkpoints;
    private String adminToken;
    private EmbeddedPostgresServer postgres;
    private KafkaBroker kafka;
    private ControlApi api;
    private MiniCluster flink;
    private PipelineSupervisor supervisor;
    private String browserUrl;
    private boolean closed;

    private LocalStack(Configuration options, LlmConfig llm) {
        this.options = options;
        this.llm = llm;
        this.dataDir =
                Path.of(options.get(LocalStackOptions.DATA_DIR)).toAbsolutePath().normalize();
        this.checkpoints = new RetainedCheckpoints(dataDir.resolve("checkpoints"));
    }

    /**
     * Every option the local stack reads: its own ({@link LocalStackOptions}) and every option of
     * the pipeline job and its fetcher under their cluster names, taken from the option classes so
     * that options added there are settable here without a change.
     */
    public static List<ConfigOption<?>> options() {
        List<ConfigOption<?>> all = new ArrayList<>(LocalStackOptions.all());
        all.addAll(MonitorPipelineJob.options());
        all.addAll(DeliveryOptions.channels());
        all.addAll(BrowserOptions.all());
        return all;
    }

    /** Starts every part with the LLM configured from the environment, as on a cluster. */
    public static LocalStack start(Configuration options) throws Exception {
        return start(options, LlmConfig.fromEnv());
    }

    /** Starts every part, in dependency order; on failure stops what was started. */
    public static LocalStack start(Configuration options, LlmConfig llm) throws Exception {
        LocalStack stack = create(options, llm);
        stack.startAll();
        return stack;
    }

    /**
     * Takes the data directory and checks the ports, starting nothing yet: a stack that cannot run
     * fails here at once, with a message, and leaves the directory untouched.
     */
    static LocalStack create(Configuration options, LlmConfig llm) throws IOException {
        LocalStack stack = new LocalStack(options, llm);
        stack.manage("data-dir-lock", DataDirLock.acquire(stack.dataDir));
        try {
            requireFreePort(LocalStackOptions.API_PORT, "control API", options);
            requireFreePort(LocalStackOptions.DASHBOARD_PORT, "Flink dashboard", options);
            stack.adminToken = stack.adminToken(options.getOptional(LocalStackOptions.ADMIN_TOKEN));
        } catch (RuntimeException | IOException e) {
            stack.close();
            throw e;
        }
        return stack;
    }

    /** Starts the parts in dependency order; on failure stops what was started. */
    void startAll() throws Exception {
        try {
            startServices();
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private void startServices() throws Exception {
        if (options.get(LocalStackOptions.FETCH_ALLOW_PRIVATE)) {
            LOG.warn(
                    "event=ssrf_protection_relaxed allow={} reason=MONITOR_FETCH_ALLOW_PRIVATE",
                    PRIVATE_RANGES);
        }
        for (ConfigOption<?> owned : OWNED) {
            if (options.contains(owned)) {
                LOG.warn("event=option_ignored key={} reason=set_by_local_stack", owned.key());
            }
        }
        postgres = manage("postgres", EmbeddedPostgresServer.start(dataDir.resolve("postgres"), 0));
        postgres.createDatabaseIfMissing(DATABASE);
        DataSource db = postgres.dataSource(DATABASE);
        SchemaMigrations.migrate(db);

        kafka = manage("kafka", KafkaBroker.start(dataDir.resolve("kafka"), 0, "384m"));
        createTopics();

        // before the API: its previews render browser sources with it too
        browserUrl = startBrowser();

        String deliveryKeyset = deliveryKeyset();
        api =
                manage(
                        "control-api",
                        ControlApi.start(
                                ControlApiConfig.builder(adminToken)
                                        .delivery(DeliveryConfig.from(deliveryConf(deliveryKeyset)))
                                        .port(options.get(LocalStackOptions.API_PORT))
                                        .kafkaBootstrapServers(kafka.bootstrapServers())
                                        .minIntervalSeconds(
                                                options.get(LocalStackOptions.MIN_INTERVAL_SECONDS))
                                        .addressAllowList(allowList())
                                        .writeLimit(
                                                options.get(
                                                        LocalStackOptions
                                                                .API_WRITE_RATE_PER_MINUTE),
                                                options.get(LocalStackOptions.API_WRITE_BURST))
                                        .readLimit(
                                                options.get(
                                                        LocalStackOptions.API_READ_RATE_PER_MINUTE),
                                                options.get(LocalStackOptions.API_READ_BURST))
                                        .deletedMonitorRetention(
                                                options.get(
                                                        LocalStackOptions
                                                                .DELETED_MONITOR_RETENTION))
                                        .migrateSchema(false)
                                        .preview(previewSettings())
                                        // loopback, plain HTTP: the cookie is Secure only when
                                        // a TLS proxy in front says so (X-Forwarded-Proto)
                                        .web(
                                                new WebUiSettings(
                                                        options.get(
                                                                LocalStackOptions.WEB_SESSION_IDLE),
                                                        options.get(
                                                                LocalStackOptions.WEB_SESSION_MAX),
                                                        false,
                                                        options.get(
                                                                LocalStackOptions
                                                                        .WEB_PREVIEWS_PER_MINUTE)))
                                        .build(),
                                db));
        api.addReadinessCheck(new ReadinessCheck("kafka", this::verifyKafka));
        api.addReadinessCheck(new ReadinessCheck("flink-job", this::verifyPipeline));
        startDelivery(db, deliveryKeyset);

        startFlink();
    }

    /**
     * The browser service the pipeline renders with: an external one if configured, else one
     * started here when Chromium is there (loopback only, the same address policy as the fetcher).
     * Null when there is none: browser sources then fail as RENDER_UNAVAILABLE and nothing else
     * changes, so a machine without Chromium still runs the platform.
     */
    private String startBrowser() {
        Optional<String> external = options.getOptional(RenderOptions.SERVICE_URL);
        if (external.isPresent()) {
            LOG.info("event=browser_external url={}", external.get());
            return external.get();
        }
        if (!options.get(LocalStackOptions.BROWSER)) {
            LOG.info("event=browser_unavailable reason=disabled");
            return null;
        }
        Configuration conf = new Configuration(options);
        conf.set(BrowserOptions.BIND_HOST, "127.0.0.1");
        conf.set(BrowserOptions.PORT, 0);
        conf.set(FetchOptions.ALLOW_LIST, allowList());
        BrowserConfig config = BrowserConfig.from(conf);
        if (!BrowserService.chromiumAvailable(config.chromiumPath())) {
            LOG.warn(
                    "event=browser_unavailable reason=no_chromium path={} hint=install Debian's"
                            + " chromium or set FLINKWATCH_BROWSER_CHROMIUM_PATH",
                    config.chromiumPath());
            return null;
        }
        try {
            return manage("browser", BrowserService.start(config)).baseUrl();
        } catch (RuntimeException e) {
            LOG.warn("event=browser_unavailable reason=start_failed error={}", e.toString());
            return null;
        }
    }

    /**
     * Registers a started part, to be stopped (in reverse order) by {@link #close()}. A part
     * started while the stack is being closed is stopped at once.
     */
    private synchronized <T extends AutoCloseable> T manage(String name, T service) {
        if (closed) {
            stop(new Managed(name, service));
            throw new IllegalStateException("the stack is stopping");
        }
        started.push(new Managed(name, service));
        return service;
    }

    private void startFlink() throws Exception {
        Configuration conf = flinkConfiguration();
        int parallelism = options.get(LocalStackOptions.PARALLELISM);
        flink =
                manage(
                        "flink",
                        new MiniCluster(
                                new MiniClusterConfiguration.Builder()
                                        .setConfiguration(conf)
                                        .setNumTaskManagers(1)
                                        .setNumSlotsPerTaskManager(parallelism)
                                        .build()));
        flink.start();
        supervisor =
                manage(
                        "pipeline",
                        new PipelineSupervisor(
                                flink,
                                (id, restore) -> pipelineJob(conf, id, restore),
                                checkpoints,
                                options.get(LocalStackOptions.SUPERVISOR_INITIAL_BACKOFF),
                                options.get(LocalStackOptions.SUPERVISOR_MAX_BACKOFF)));
        supervisor.start();
    }

    /**
     * The MiniCluster's and the job's configuration: the stack's defaults, then every option the
     * user set (pipeline, fetch and Flink's own keys, e.g. {@code
     * --restart-strategy.exponential-delay.max-backoff=2min}), then what the stack owns.
     */
    private Configuration flinkConfiguration() {
        Configuration conf = FlinkTypes.apply(new Configuration());
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(64));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.ofMebiBytes(32));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.ofMebiBytes(32));
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(5));
        conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 3);
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        // Task failures restart in place from the last checkpoint, 1 s, 2 s, 4 s ... 30 s apart;
        // ten failures without 10 quiet minutes in between end the job, and the supervisor takes
        // over (cause in the log and /readyz, resubmission from the retained checkpoint).
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                Duration.ofSeconds(1));
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                Duration.ofSeconds(30));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
                Duration.ofMinutes(10));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.1);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, 10);
        conf.set(
                PipelineOptions.MIN_INTERVAL_SECONDS,
                options.get(LocalStackOptions.MIN_INTERVAL_SECONDS));
        conf.set(PipelineOptions.STATUS_REFRESH, Duration.ofSeconds(30));

        conf.addAll(options);

        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.PORT, options.get(LocalStackOptions.DASHBOARD_PORT));
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, options.get(LocalStackOptions.PARALLELISM));
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                checkpoints.directory().toUri().toString());
        conf.set(PipelineOptions.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(PipelineOptions.JDBC_URL, postgres.jdbcUrl(DATABASE));
        conf.set(PipelineOptions.JDBC_USER, EmbeddedPostgresServer.SUPERUSER);
        conf.set(PipelineOptions.JDBC_PASSWORD, "");
        conf.set(FetchOptions.ALLOW_LIST, allowList());
        if (browserUrl != null) {
            conf.set(RenderOptions.SERVICE_URL, browserUrl);
        }
        conf.set(org.apache.flink.configuration.PipelineOptions.NAME, MonitorPipelineJob.JOB_NAME);
        return conf;
    }

    /** The pipeline's job graph, from the same wiring a cluster runs (plus the test switch). */
    private JobGraph pipelineJob(Configuration conf, JobID id, Optional<Path> restore)
            throws IOException {
        Configuration jobConf = new Configuration(conf);
        if (restore.isPresent() && !options.contains(PipelineOptions.MAX_PARALLELISM)) {
            // key groups are frozen into a checkpoint: a data directory of an earlier version
            // restores with the max parallelism it was written with
            jobConf.set(PipelineOptions.MAX_PARALLELISM, maxParallelism(restore.get()));
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(jobConf);
        env.setParallelism(options.get(LocalStackOptions.PARALLELISM));
        MonitorPipeline.Outputs outputs = MonitorPipelineJob.wire(env, jobConf, llm);
        options.getOptional(LocalStackOptions.TEST_FAULT_FILE)
                .ifPresent(file -> FaultSwitch.attach(outputs.checkResults(), file));
        JobGraph job =
                env.getStreamGraph()
                        .getJobGraph(Thread.currentThread().getContextClassLoader(), id);
        restore.ifPresent(
                path ->
                        job.setSavepointRestoreSettings(
                                SavepointRestoreSettings.forPath(path.toString(), false)));
        return job;
    }

    /** The max parallelism of the keyed state in a checkpoint. */
    private static int maxParallelism(Path checkpoint) throws IOException {
        try (InputStream in = Files.newInputStream(checkpoint.resolve("_metadata"))) {
            return Checkpoints.loadCheckpointMetadata(
                            new DataInputStream(in),
                            LocalStack.class.getClassLoader(),
                            checkpoint.toString())
                    .getOperatorStates()
                    .stream()
                    .filter(
                            o ->
                                    o.getStates().stream()
                                            .anyMatch(s -> s.getManagedKeyedState().hasState()))
                    .mapToInt(OperatorState::getMaxParallelism)
                    .max()
                    .orElse(PipelineOptions.MAX_PARALLELISM.defaultValue());
        }
    }

    /** Waits until every readiness check passes (the pipeline job is RUNNING). */
    public void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                verifyKafka();
                verifyPipeline();
                return;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "not ready after " + timeout + ": " + e.getMessage(), e);
                }
                Thread.sleep(200);
            }
        }
    }

    private static void requireFreePort(
            ConfigOption<Integer> option, String what, Configuration options) {
        int port = options.get(option);
        if (port > 0 && ServerProcesses.portInUse(port)) {
            throw new StackStartException(
                    "port "
                            + port
                            + " ("
                            + what
                            + ") is already in use by another process: set "
                            + dev.flinkwatch.flink.ConfigLoader.envName(option)
                            + " (--"
                            + option.key()
                            + ") to a free port, or 0 for any free port");
        }
    }

    /** The web app's previews fetch and read pages as the pipeline does (same options). */
    private PreviewSettings previewSettings() {
        Configuration conf = new Configuration();
        conf.addAll(options);
        conf.set(FetchOptions.ALLOW_LIST, allowList());
        if (browserUrl != null) {
            conf.set(RenderOptions.SERVICE_URL, browserUrl);
        }
        return new PreviewSettings(
                FetchConfig.from(conf),
                conf.get(PipelineOptions.MAX_EXTRACTED_CHARS),
                conf.get(PipelineOptions.PATTERN_BUDGET),
                RenderConfig.from(conf));
    }

    private List<String> allowList() {
        Set<String> allow = new LinkedHashSet<>(options.get(FetchOptions.ALLOW_LIST));
        if (options.get(LocalStackOptions.FETCH_ALLOW_PRIVATE)) {
            allow.addAll(PRIVATE_RANGES);
        }
        return List.copyOf(allow);
    }

    private void createTopics() throws Exception {
        try (Admin admin = kafkaAdmin()) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            if (!existing.contains("monitors")) {
                missing.add(
                        new NewTopic("monitors", 1, (short) 1)
                                .configs(
                                        Map.of(
                                                TopicConfig.CLEANUP_POLICY_CONFIG,
                                                TopicConfig.CLEANUP_POLICY_COMPACT)));
            }
            for (String topic : List.of("alerts", "check-results")) {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, 1, (short) 1));
                }
            }
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        }
    }

    private Admin kafkaAdmin() {
        return Admin.create(
                Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000,
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000));
    }

    private void verifyKafka() throws Exception {
        try (Admin admin = kafkaAdmin()) {
            admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        }
    }

    private void verifyPipeline() throws Exception {
        if (supervisor == null) {
            throw new IllegalStateException("Flink is not started");
        }
        supervisor.verifyRunning();
    }

    private <T> void copy(ConfigOption<T> option, Configuration to) {
        options.getOptional(option).ifPresent(value -> to.set(option, value));
    }

    /** Webhook delivery from the alerts topic (docs/delivery.md), sharing the API's keyset. */
    private void startDelivery(DataSource db, String keyset) {
        Configuration conf = deliveryConf(keyset);
        conf.set(DeliveryOptions.API_BASE_URL, api.baseUrl());
        DeliveryService delivery = DeliveryService.start(DeliveryConfig.from(conf), db);
        delivery.metrics().bindTo(api.meterRegistry()); // one /metrics for the whole stack
        manage("delivery", delivery);
    }

    /**
     * The channel options (SMTP, Telegram API) as given to the stack; the rest is the stack's. The
     * API's channel tests send with the same settings as the delivery component.
     */
    private Configuration deliveryConf(String keyset) {
        Configuration conf = new Configuration();
        for (ConfigOption<?> option : DeliveryOptions.channels()) {
            copy(option, conf);
        }
        conf.set(DeliveryOptions.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(DeliveryOptions.SECRET_KEYSET, keyset);
        conf.set(DeliveryOptions.ADDRESS_ALLOW_LIST, allowList());
        return conf;
    }

    /** The delivery secrets' Tink keyset: generated on first start, kept in the data directory. */
    private String deliveryKeyset() throws IOException {
        Path file = dataDir.resolve("delivery-keyset.json");
        if (!Files.exists(file)) {
            Files.writeString(file, SecretBox.generateKeysetJson(), StandardCharsets.UTF_8);
        }
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }

    /** An explicit token, or the one generated on first start and kept in the data directory. */
    private String adminToken(Optional<String> configured) throws IOException {
        if (configured.isPresent()) {
            return configured.get();
        }
        Path file = dataDir.resolve("admin-token");
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String token = "fwadm_" + HexFormat.of().formatHex(random);
        Files.writeString(file, token, StandardCharsets.UTF_8);
        return token;
    }

    public String apiUrl() {
        return api.baseUrl();
    }

    public String dashboardUrl() throws Exception {
        return flink.getRestAddress().get(10, TimeUnit.SECONDS).toString();
    }

    public String adminToken() {
        return adminToken;
    }

    /** The browser service's URL, or null when browser rendering is not available. */
    public String browserUrl() {
        return browserUrl;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The checkpoint the running pipeline job was restored from, or null. */
    public String restoredFrom() {
        return supervisor == null ? null : supervisor.restoredFrom();
    }

    /** Stops every started part, newest first: pipeline, Flink, API, Kafka, PostgreSQL, lock. */
    @Override
    public void close() {
        List<Managed> toStop = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            while (!started.isEmpty()) {
                toStop.add(started.pop());
            }
        }
        toStop.forEach(LocalStack::stop);
        LOG.info("event=stack_stopped dataDir={}", dataDir);
    }

    private static void stop(Managed service) {
        try {
            service.stopper().close();
        } catch (Exception e) {
            LOG.warn("event=stop_failed service={} reason={}", service.name(), e.toString());
        }
    }
}
