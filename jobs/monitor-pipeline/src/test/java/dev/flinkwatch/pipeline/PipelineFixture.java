package dev.flinkwatch.pipeline;

import static org.awaitility.Awaitility.await;

import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.llm.LlmConfig;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorEvent;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.testing.FlinkTestCluster;
import dev.flinkwatch.testing.LocalSite;
import dev.flinkwatch.testing.TestKafka;
import dev.flinkwatch.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The real wiring of the pipeline for integration tests: a migrated PostgreSQL database, unique
 * Kafka topics on the shared broker, a local site, and the job configuration that points at them.
 * Monitors are created the way the control API does it: a row in {@code monitors} and an event on
 * the monitors topic.
 */
public final class PipelineFixture implements AutoCloseable {
    public final TestPostgres.Database db = TestPostgres.newMigratedDatabase();
    public final LocalSite site = LocalSite.start();
    public final String monitorsTopic = TestKafka.uniqueTopic("monitors");
    public final String alertsTopic = TestKafka.uniqueTopic("alerts");
    public final String resultsTopic = TestKafka.uniqueTopic("check-results");
    private final KafkaProducer<byte[], byte[]> producer;

    public PipelineFixture() throws Exception {
        TestKafka.createTopic(monitorsTopic, 2, true);
        TestKafka.createTopic(alertsTopic, 2, false);
        TestKafka.createTopic(resultsTopic, 2, false);
        producer = new KafkaProducer<>(TestKafka.producerProperties());
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement("INSERT INTO tenants (id, name) VALUES (?, 'test')")) {
            ps.setObject(1, TestSpecs.TENANT);
            ps.executeUpdate();
        }
    }

    /** The job configuration: test infrastructure, 1 s floor, fast checkpoints, quick restarts. */
    public Configuration config(Path checkpoints) {
        Configuration conf = FlinkTestCluster.jobConfig();
        conf.set(PipelineOptions.KAFKA_BOOTSTRAP_SERVERS, TestKafka.bootstrapServers());
        conf.set(PipelineOptions.TOPIC_MONITORS, monitorsTopic);
        conf.set(PipelineOptions.TOPIC_ALERTS, alertsTopic);
        conf.set(PipelineOptions.TOPIC_CHECK_RESULTS, resultsTopic);
        conf.set(PipelineOptions.KAFKA_GROUP_ID, "pipeline-" + monitorsTopic);
        conf.set(PipelineOptions.TRANSACTIONAL_ID_PREFIX, "tx-" + alertsTopic);
        conf.set(PipelineOptions.JDBC_URL, db.jdbcUrl());
        conf.set(PipelineOptions.JDBC_USER, db.user());
        conf.set(PipelineOptions.JDBC_BATCH_INTERVAL, Duration.ofMillis(100));
        conf.set(PipelineOptions.MIN_INTERVAL_SECONDS, 1);
        conf.set(PipelineOptions.STATUS_REFRESH, Duration.ZERO);
        conf.set(FetchOptions.ALLOW_LIST, List.of("127.0.0.1/32"));
        conf.set(FetchOptions.MIN_DELAY_PER_HOST, Duration.ZERO);
        // These tests count requests per monitor at 1 s intervals; SharedFetchIT turns sharing on.
        conf.set(FetchOptions.SHARED_WINDOW, Duration.ZERO);
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(800));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        return conf;
    }

    public StreamExecutionEnvironment environment(Configuration conf) {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkTypes.apply(conf));
        env.setParallelism(2);
        return env;
    }

    /** An LLM configuration without endpoint: llm monitors get "LLM not configured". */
    public static LlmConfig noLlm() {
        return LlmConfig.fromEnv(Map.of());
    }

    /** Stores the monitor row (as the control API would) and publishes its upsert event. */
    public void upsert(MonitorSpec spec) throws Exception {
        upsertAll(List.of(spec));
    }

    /** Stores many monitor rows in one transaction, then publishes their upsert events. */
    public void upsertAll(List<MonitorSpec> specs) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "INSERT INTO monitors (id, tenant_id, version, name, status,"
                                        + " interval_seconds, spec) VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)"
                                        + " ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version,"
                                        + " status = EXCLUDED.status, spec = EXCLUDED.spec")) {
            for (MonitorSpec spec : specs) {
                ps.setObject(1, spec.id());
                ps.setObject(2, spec.tenantId());
                ps.setLong(3, spec.version());
                ps.setString(4, spec.name());
                ps.setString(5, spec.status().json());
                ps.setInt(6, spec.intervalSeconds());
                ps.setString(7, new String(ModelCodec.toJsonBytes(spec), StandardCharsets.UTF_8));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (MonitorSpec spec : specs) {
            sent.add(send(spec.id(), ModelCodec.encode(MonitorEvent.upsert(spec))));
        }
        for (java.util.concurrent.Future<?> s : sent) {
            s.get();
        }
    }

    /** Adds a tenant row, for tests with more than the default tenant. */
    public void addTenant(UUID tenant, String name) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement("INSERT INTO tenants (id, name) VALUES (?, ?)")) {
            ps.setObject(1, tenant);
            ps.setString(2, name);
            ps.executeUpdate();
        }
    }

    /** Publishes the delete event and the tombstone, as the outbox relay does. */
    public void delete(MonitorSpec spec) throws Exception {
        publish(spec.id(), ModelCodec.encode(TestSpecs.delete(spec)));
        publish(spec.id(), null);
    }

    private void publish(UUID id, byte[] value) throws Exception {
        send(id, value).get();
    }

    private java.util.concurrent.Future<?> send(UUID id, byte[] value) {
        return producer.send(
                new ProducerRecord<>(
                        monitorsTopic, id.toString().getBytes(StandardCharsets.UTF_8), value));
    }

    /** Alerts in PostgreSQL, as (alert key -> kind). */
    public Map<String, String> alertsInDb() throws Exception {
        Map<String, String> out = new HashMap<>();
        try (Connection c = db.dataSource().getConnection();
                ResultSet rs =
                        c.createStatement().executeQuery("SELECT alert_key, kind FROM alerts")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    /** Every committed alert on the alerts topic (read_committed), in partition order. */
    public List<Alert> alertsInKafka() {
        List<Alert> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(TestKafka.consumerProperties(true))) {
            var partitions =
                    consumer.partitionsFor(alertsTopic).stream()
                            .map(
                                    p ->
                                            new org.apache.kafka.common.TopicPartition(
                                                    alertsTopic, p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(ModelCodec.decode(r.value(), Alert.class));
                }
            }
        }
        return out;
    }

    /** The last outcome per monitor in monitor_status. */
    public Map<UUID, String> statuses() throws Exception {
        Map<UUID, String> out = new HashMap<>();
        try (Connection c = db.dataSource().getConnection();
                ResultSet rs =
                        c.createStatement()
                                .executeQuery(
                                        "SELECT monitor_id, last_outcome FROM monitor_status")) {
            while (rs.next()) {
                out.put(rs.getObject(1, UUID.class), rs.getString(2));
            }
        }
        return out;
    }

    /** Number of check_runs rows of a monitor with an outcome. */
    public int checkRuns(UUID monitor, String outcome) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT count(*) FROM check_runs WHERE monitor_id = ? AND outcome = ?")) {
            ps.setObject(1, monitor);
            ps.setString(2, outcome);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Waits until every monitor has a status row (its baseline was taken). */
    public void awaitBaselines(List<UUID> monitors) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> statuses().keySet().containsAll(monitors));
    }

    @Override
    public void close() {
        producer.close();
        site.close();
    }
}
