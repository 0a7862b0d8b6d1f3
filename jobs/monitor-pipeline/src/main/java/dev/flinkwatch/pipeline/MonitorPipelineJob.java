package dev.flinkwatch.pipeline;

import dev.flinkwatch.fetch.FetchConfig;
import dev.flinkwatch.fetch.FetchFunction;
import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.flink.ConfigLoader;
import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.llm.LlmConfig;
import dev.flinkwatch.llm.LlmEvaluator;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.MonitorEvent;
import dev.flinkwatch.pipeline.sink.CommittedAlertDeserializer;
import dev.flinkwatch.pipeline.sink.EnvelopeSerializer;
import dev.flinkwatch.pipeline.sink.MonitorEventDeserializer;
import dev.flinkwatch.pipeline.sink.PostgresSinks;
import dev.flinkwatch.render.RenderFunction;
import dev.flinkwatch.render.RenderOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The monitor pipeline job with its real sources and sinks: Kafka in, Kafka and PostgreSQL out.
 * {@link #main} runs it on whatever cluster submits it; the local stack and tests call {@link
 * #start} on their own environment.
 */
public final class MonitorPipelineJob {
    public static final String JOB_NAME = "monitor-pipeline";

    private MonitorPipelineJob() {}

    public static void main(String[] args) throws Exception {
        Configuration conf = ConfigLoader.load(options(), System.getenv(), args);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkTypes.apply(conf));
        wire(env, conf, LlmConfig.fromEnv());
        env.execute(JOB_NAME);
    }

    /**
     * Every option the job reads (pipeline, fetch and render), for config loading and
     * documentation.
     */
    public static List<ConfigOption<?>> options() {
        List<ConfigOption<?>> all = new ArrayList<>(PipelineOptions.all());
        all.addAll(FetchOptions.all());
        all.addAll(RenderOptions.all());
        return all;
    }

    /** Builds the job on an environment and submits it without waiting for it to end. */
    public static JobClient start(
            StreamExecutionEnvironment env, ReadableConfig conf, LlmConfig llm) throws Exception {
        wire(env, conf, llm);
        return env.executeAsync(JOB_NAME);
    }

    /** Builds the job with its real sources and sinks on an environment. */
    public static MonitorPipeline.Outputs wire(
            StreamExecutionEnvironment env, ReadableConfig conf, LlmConfig llm) {
        return wire(env, conf, llm, sinks(conf));
    }

    /** Builds the job with the real source and fetcher and the given sinks. */
    public static MonitorPipeline.Outputs wire(
            StreamExecutionEnvironment env,
            ReadableConfig conf,
            LlmConfig llm,
            MonitorPipeline.Sinks sinks) {
        FetchConfig fetchConfig = PipelineSettings.fetchConfig(conf);
        PipelineSettings settings =
                PipelineSettings.from(
                        conf, Duration.ofMillis(FetchFunction.asyncTimeoutMs(fetchConfig)));
        String bootstrap = conf.get(PipelineOptions.KAFKA_BOOTSTRAP_SERVERS);
        KafkaSource<MonitorEvent> source =
                KafkaSource.<MonitorEvent>builder()
                        .setBootstrapServers(bootstrap)
                        .setTopics(conf.get(PipelineOptions.TOPIC_MONITORS))
                        .setGroupId(conf.get(PipelineOptions.KAFKA_GROUP_ID))
                        // without state the job rebuilds every monitor from the compacted topic;
                        // with state it resumes from the offsets in its checkpoint
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new MonitorEventDeserializer())
                        .build();
        DataStream<MonitorEvent> events =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "Monitors (Kafka)")
                        .uid("monitors-source");
        env.setMaxParallelism(conf.get(PipelineOptions.MAX_PARALLELISM));
        return MonitorPipeline.build(
                events,
                committedAlerts(env, conf),
                new FetchFunction(fetchConfig),
                new RenderFunction(settings.render(), fetchConfig),
                new LlmEvaluator(llm),
                settings,
                sinks);
    }

    /**
     * The alerts topic as committed: what the PostgreSQL alert store is written from. Without state
     * it reads from the earliest offset (inserts are idempotent); with state it resumes from its
     * checkpoint.
     */
    public static DataStream<Alert> committedAlerts(
            StreamExecutionEnvironment env, ReadableConfig conf) {
        KafkaSource<Alert> source =
                KafkaSource.<Alert>builder()
                        .setBootstrapServers(conf.get(PipelineOptions.KAFKA_BOOTSTRAP_SERVERS))
                        .setTopics(conf.get(PipelineOptions.TOPIC_ALERTS))
                        .setGroupId(conf.get(PipelineOptions.KAFKA_GROUP_ID) + "-alert-store")
                        .setProperty("isolation.level", "read_committed")
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new CommittedAlertDeserializer())
                        .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "Committed alerts (Kafka)")
                .uid("committed-alerts-source");
    }

    /** The production sinks. */
    public static MonitorPipeline.Sinks sinks(ReadableConfig conf) {
        String bootstrap = conf.get(PipelineOptions.KAFKA_BOOTSTRAP_SERVERS);
        Properties producer = new Properties();
        // longer than any checkpoint interval we configure, below the broker's maximum
        producer.setProperty("transaction.timeout.ms", String.valueOf(15 * 60 * 1000));
        int maxRecordBytes = conf.get(PipelineOptions.KAFKA_MAX_RECORD_BYTES);
        KafkaSink<Alert> alertTopic =
                KafkaSink.<Alert>builder()
                        .setBootstrapServers(bootstrap)
                        .setKafkaProducerConfig(producer)
                        .setRecordSerializer(
                                EnvelopeSerializer.alerts(
                                        conf.get(PipelineOptions.TOPIC_ALERTS), maxRecordBytes))
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix(conf.get(PipelineOptions.TRANSACTIONAL_ID_PREFIX))
                        .build();
        KafkaSink<CheckResult> resultTopic =
                KafkaSink.<CheckResult>builder()
                        .setBootstrapServers(bootstrap)
                        .setRecordSerializer(
                                EnvelopeSerializer.checkResults(
                                        conf.get(PipelineOptions.TOPIC_CHECK_RESULTS),
                                        maxRecordBytes))
                        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                        .build();
        PostgresSinks.Settings db =
                new PostgresSinks.Settings(
                        conf.get(PipelineOptions.JDBC_URL),
                        conf.get(PipelineOptions.JDBC_USER),
                        conf.get(PipelineOptions.JDBC_PASSWORD),
                        conf.get(PipelineOptions.JDBC_BATCH_SIZE),
                        conf.get(PipelineOptions.JDBC_BATCH_INTERVAL),
                        conf.get(PipelineOptions.JDBC_MAX_RETRIES),
                        conf.get(PipelineOptions.JDBC_RETRY_BACKOFF));
        return new MonitorPipeline.Sinks(
                PostgresSinks.alerts(db),
                alertTopic,
                resultTopic,
                PostgresSinks.checkRuns(db),
                PostgresSinks.status(db));
    }
}
