package dev.flinkwatch.pipeline.sink;

import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.CodecException;
import dev.flinkwatch.model.ModelCodec;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the committed {@code alerts} topic for the PostgreSQL alert store. A record that does not
 * decode is logged and skipped: bad input never fails the job.
 */
public final class CommittedAlertDeserializer implements KafkaRecordDeserializationSchema<Alert> {
    private static final Logger LOG = LoggerFactory.getLogger(CommittedAlertDeserializer.class);

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Alert> out) {
        if (record.value() == null) {
            return;
        }
        try {
            Alert alert = ModelCodec.decode(record.value(), Alert.class);
            if (alert.alertId() == null || alert.monitorId() == null || alert.kind() == null) {
                throw new CodecException("alertId", "alertId, monitorId and kind are required");
            }
            out.collect(alert);
        } catch (CodecException | IllegalArgumentException e) {
            LOG.warn(
                    "event=alert_record_skipped topic={} partition={} offset={} reason={}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
        }
    }

    @Override
    public TypeInformation<Alert> getProducedType() {
        return FlinkTypes.info(Alert.class);
    }
}
