package dev.flinkwatch.pipeline.sink;

import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.ModelCodec;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a contract as a schema-versioned JSON envelope, keyed by its monitor id, never larger than
 * the configured record limit: a record the producer or the broker refused would fail the Kafka
 * sink and the job. An envelope over the limit is written without its page content (the diff
 * becomes {@link #OMITTED}, an alert's excerpt is left out) and counted in {@code
 * oversizedRecords}; one still over it (only with a limit below a few KiB) is dropped, logged and
 * counted in {@code droppedRecords}.
 */
public final class EnvelopeSerializer<T> implements KafkaRecordSerializationSchema<T> {
    private static final Logger LOG = LoggerFactory.getLogger(EnvelopeSerializer.class);

    /** The diff of a record that would have exceeded the limit with it. */
    public static final String OMITTED = "[diff omitted: the record exceeded the size limit]";

    private final String topic;
    private final SerializableFunction<T, UUID> key;
    private final int maxRecordBytes;
    private final SerializableFunction<T, T> withoutContent;
    private transient Counter oversized;
    private transient Counter dropped;

    private EnvelopeSerializer(
            String topic,
            SerializableFunction<T, UUID> key,
            int maxRecordBytes,
            SerializableFunction<T, T> withoutContent) {
        if (maxRecordBytes < 1024) {
            throw new IllegalArgumentException("flinkwatch.kafka.max-record-bytes must be >= 1024");
        }
        this.topic = topic;
        this.key = key;
        this.maxRecordBytes = maxRecordBytes;
        this.withoutContent = withoutContent;
    }

    /**
     * Alerts, at most {@code maxRecordBytes} of key and value each.
     *
     * @param maxRecordBytes below the producer's {@code max.request.size} and the topic's {@code
     *     max.message.bytes} (1 MiB by default) by the record overhead (under 100 bytes)
     */
    public static EnvelopeSerializer<Alert> alerts(String topic, int maxRecordBytes) {
        return new EnvelopeSerializer<>(
                topic, Alert::monitorId, maxRecordBytes, a -> a.withContent(null, OMITTED));
    }

    /** Check results, bounded like {@link #alerts}. */
    public static EnvelopeSerializer<CheckResult> checkResults(String topic, int maxRecordBytes) {
        return new EnvelopeSerializer<>(
                topic, CheckResult::monitorId, maxRecordBytes, r -> r.withDiff(OMITTED));
    }

    @Override
    public void open(
            SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        MetricGroup sink = context.getMetricGroup().addGroup("sink");
        oversized = sink.counter("oversizedRecords");
        dropped = sink.counter("droppedRecords");
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        UUID monitor = key.apply(element);
        byte[] k = monitor.toString().getBytes(StandardCharsets.UTF_8);
        byte[] value = ModelCodec.encode(element);
        if (k.length + value.length > maxRecordBytes) {
            int size = value.length;
            value = ModelCodec.encode(withoutContent.apply(element));
            counter(true).inc();
            if (k.length + value.length > maxRecordBytes) {
                counter(false).inc();
                LOG.error(
                        "event=kafka_record_dropped topic={} monitor={} bytes={} limit={}",
                        topic,
                        monitor,
                        value.length,
                        maxRecordBytes);
                return null;
            }
            LOG.warn(
                    "event=kafka_record_content_omitted topic={} monitor={} bytes={} limit={}",
                    topic,
                    monitor,
                    size,
                    maxRecordBytes);
        }
        return new ProducerRecord<>(topic, null, timestamp, k, value);
    }

    /** The metric, or a detached one when used without {@link #open} (unit tests). */
    private Counter counter(boolean oversizedCounter) {
        if (oversized == null) {
            oversized = new SimpleCounter();
            dropped = new SimpleCounter();
        }
        return oversizedCounter ? oversized : dropped;
    }
}
