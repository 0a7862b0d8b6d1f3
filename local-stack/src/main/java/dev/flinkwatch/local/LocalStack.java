package dev.flinkwatch.local;

import dev.flinkwatch.api.ControlApi;
import dev.flinkwatch.api.ControlApiConfig;
import dev.flinkwatch.api.ops.ReadinessCheck;
import dev.flinkwatch.embedded.EmbeddedPostgresServer;
import dev.flinkwatch.embedded.KafkaBroker;
import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.llm.LlmConfig;
import dev.flinkwatch.pipeline.MonitorPipelineJob;
import dev.flinkwatch.pipeline.PipelineOptions;
import dev.flinkwatch.schema.SchemaMigrations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
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
 * (web dashboard on) running the monitor pipeline. The pipeline checkpoints into the data directory
 * and a restart resumes from the latest checkpoint, so monitors keep their baselines and schedules
 * and no alert is raised twice.
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    /** Fixed, so checkpoints of every run land under one directory and the next run finds them. */
    static final JobID PIPELINE_JOB_ID = JobID.fromHexString("f1a4c0a7c4e5d1e2b3a4c5d6e7f80912");

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

    private final Configuration options;
    private final Path dataDir;
    private final String adminToken;
    private EmbeddedPostgresServer postgres;
    private KafkaBroker kafka;
    private ControlApi api;
    private MiniCluster flink;
    private String restoredFrom;

    private LocalStack(Configuration options) throws IOException {
        this.options = options;
        this.dataDir =
                Path.of(options.get(LocalStackOptions.DATA_DIR)).toAbsolutePath().normalize();
        Files.createDirectories(dataDir);
        this.adminToken = adminToken(options.getOptional(LocalStackOptions.ADMIN_TOKEN));
    }

    /** Starts every part, in dependency order; on failure stops what was started. */
    public static LocalStack start(Configuration options) throws Exception {
        LocalStack stack = new LocalStack(options);
        try {
            stack.startAll();
            return stack;
        } catch (Exception e) {
            stack.close();
            throw e;
        }
    }

    private void startAll() throws Exception {
        if (options.get(LocalStackOptions.FETCH_ALLOW_PRIVATE)) {
            LOG.warn(
                    "event=ssrf_protection_relaxed allow={} reason=MONITOR_FETCH_ALLOW_PRIVATE",
                    PRIVATE_RANGES);
        }
        postgres = EmbeddedPostgresServer.start(dataDir.resolve("postgres"), 0);
        postgres.createDatabaseIfMissing(DATABASE);
        DataSource db = postgres.dataSource(DATABASE);
        SchemaMigrations.migrate(db);

        kafka = KafkaBroker.start(dataDir.resolve("kafka"), 0, "384m");
        createTopics();

        api =
                ControlApi.start(
                        ControlApiConfig.builder(adminToken)
                                .port(options.get(LocalStackOptions.API_PORT))
                                .kafkaBootstrapServers(kafka.bootstrapServers())
                                .minIntervalSeconds(
                                        options.get(LocalStackOptions.MIN_INTERVAL_SECONDS))
                                .addressAllowList(allowList())
                                .migrateSchema(false)
                                .build(),
                        db);
        api.addReadinessCheck(new ReadinessCheck("kafka", this::verifyKafka));
        api.addReadinessCheck(new ReadinessCheck("flink-job", this::verifyJobRunning));

        startFlink();
    }

    private void startFlink() throws Exception {
        Configuration conf = FlinkTypes.apply(new Configuration());
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.PORT, options.get(LocalStackOptions.DASHBOARD_PORT));
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, options.get(LocalStackOptions.PARALLELISM));
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(64));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.ofMebiBytes(32));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.ofMebiBytes(32));
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir().toUri().toString());
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(5));
        conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 3);
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");

        conf.set(PipelineOptions.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(PipelineOptions.JDBC_URL, postgres.jdbcUrl(DATABASE));
        conf.set(PipelineOptions.JDBC_USER, EmbeddedPostgresServer.SUPERUSER);
        conf.set(
                PipelineOptions.MIN_INTERVAL_SECONDS,
                options.get(LocalStackOptions.MIN_INTERVAL_SECONDS));
        conf.set(PipelineOptions.STATUS_REFRESH, Duration.ofSeconds(30));
        conf.set(FetchOptions.ALLOW_LIST, allowList());

        flink =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(
                                        options.get(LocalStackOptions.PARALLELISM))
                                .build());
        flink.start();

        conf.set(org.apache.flink.configuration.PipelineOptions.NAME, MonitorPipelineJob.JOB_NAME);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(options.get(LocalStackOptions.PARALLELISM));
        MonitorPipelineJob.wire(env, conf, LlmConfig.fromEnv());
        JobGraph job =
                env.getStreamGraph()
                        .getJobGraph(
                                Thread.currentThread().getContextClassLoader(), PIPELINE_JOB_ID);
        Optional<Path> latest = latestCheckpoint();
        if (latest.isPresent()) {
            restoredFrom = latest.get().toString();
            job.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restoredFrom, false));
        }
        flink.submitJob(job).get(60, TimeUnit.SECONDS);
        LOG.info(
                "event=pipeline_submitted jobId={} restoredFrom={}",
                PIPELINE_JOB_ID,
                restoredFrom == null ? "none" : restoredFrom);
    }

    /** Waits until every readiness check passes (the pipeline job is RUNNING). */
    public void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                verifyKafka();
                verifyJobRunning();
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

    /** The newest completed, retained checkpoint of the pipeline, if any. */
    Optional<Path> latestCheckpoint() throws IOException {
        Path jobDir = checkpointDir().resolve(PIPELINE_JOB_ID.toHexString());
        if (!Files.isDirectory(jobDir)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(jobDir)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("chk-"))
                    .filter(d -> Files.exists(d.resolve("_metadata")))
                    .max(
                            (a, b) ->
                                    Long.compare(
                                            Long.parseLong(a.getFileName().toString().substring(4)),
                                            Long.parseLong(
                                                    b.getFileName().toString().substring(4))));
        }
    }

    private Path checkpointDir() {
        return dataDir.resolve("checkpoints");
    }

    private List<String> allowList() {
        return options.get(LocalStackOptions.FETCH_ALLOW_PRIVATE) ? PRIVATE_RANGES : List.of();
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

    private void verifyJobRunning() throws Exception {
        if (flink == null) {
            throw new IllegalStateException("Flink is not started");
        }
        JobStatus status = flink.getJobStatus(PIPELINE_JOB_ID).get(5, TimeUnit.SECONDS);
        if (status != JobStatus.RUNNING) {
            throw new IllegalStateException("pipeline job is " + status);
        }
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

    public Path dataDir() {
        return dataDir;
    }

    /** The checkpoint the pipeline was restored from on this start, or null. */
    public String restoredFrom() {
        return restoredFrom;
    }

    /** Stops everything, newest part first: the pipeline, the API, Kafka, PostgreSQL. */
    @Override
    public void close() {
        if (flink != null) {
            try {
                // cancelling retains the latest checkpoint for the next start
                flink.cancelJob(PIPELINE_JOB_ID).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("event=pipeline_cancel_failed reason={}", e.toString());
            }
            try {
                flink.close();
            } catch (Exception e) {
                LOG.warn("event=flink_stop_failed reason={}", e.toString());
            }
        }
        if (api != null) {
            api.close();
        }
        if (kafka != null) {
            kafka.stop();
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                LOG.warn("event=postgres_stop_failed reason={}", e.toString());
            }
        }
        LOG.info("event=stack_stopped dataDir={}", dataDir);
    }
}
