package dev.flinkwatch.pipeline.sink;

import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.model.CodecException;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorEvent;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the {@code monitors} topic: a value is a {@link MonitorEvent} envelope, a tombstone (null
 * value) deletes the monitor named by the key. Malformed records are logged and skipped: bad input
 * never fails the job.
 */
public final class MonitorEventDeserializer
        implements KafkaRecordDeserializationSchema<MonitorEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorEventDeserializer.class);

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<MonitorEvent> out) {
        try {
            if (record.value() == null) {
                UUID id = UUID.fromString(new String(record.key(), StandardCharsets.UTF_8));
                // a tombstone carries no version: it is the last word for its key
                out.collect(MonitorEvent.delete(id, null, Long.MAX_VALUE));
                return;
            }
            MonitorEvent event = ModelCodec.decode(record.value(), MonitorEvent.class);
            if (event.monitorId() == null || (!event.isDelete() && event.spec() == null)) {
                throw new CodecException("spec", "is required for upserts");
            }
            out.collect(event);
        } catch (CodecException | IllegalArgumentException | NullPointerException e) {
            LOG.warn(
                    "event=monitor_event_skipped topic={} partition={} offset={} reason={}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
        }
    }

    @Override
    public TypeInformation<MonitorEvent> getProducedType() {
        return FlinkTypes.info(MonitorEvent.class);
    }
}
