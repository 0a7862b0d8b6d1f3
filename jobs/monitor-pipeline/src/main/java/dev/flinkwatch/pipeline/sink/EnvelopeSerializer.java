package dev.flinkwatch.pipeline.sink;

import dev.flinkwatch.model.ModelCodec;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes a contract as a schema-versioned JSON envelope, keyed by its monitor id. */
public final class EnvelopeSerializer<T> implements KafkaRecordSerializationSchema<T> {
    private final String topic;
    private final SerializableFunction<T, UUID> key;

    public EnvelopeSerializer(String topic, SerializableFunction<T, UUID> key) {
        this.topic = topic;
        this.key = key;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic,
                null,
                timestamp,
                key.apply(element).toString().getBytes(StandardCharsets.UTF_8),
                ModelCodec.encode(element));
    }
}
