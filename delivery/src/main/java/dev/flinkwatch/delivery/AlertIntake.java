package dev.flinkwatch.delivery;

import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.CodecException;
import dev.flinkwatch.model.ModelCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the committed alerts topic ({@code read_committed}: only alerts of completed pipeline
 * checkpoints) and queues their deliveries in PostgreSQL; offsets are committed only after the rows
 * are, so a crash replays a batch into {@code ON CONFLICT DO NOTHING} instead of losing it. A
 * record that does not decode is logged and skipped: one bad record never stops delivery.
 */
final class AlertIntake implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertIntake.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final DeliveryStore store;
    private final DeliveryConfig config;
    private final DeliveryMetrics metrics;
    private final Runnable onQueued;
    private final Thread loop;
    private volatile boolean running = true;

    AlertIntake(
            DeliveryConfig config,
            DeliveryStore store,
            DeliveryMetrics metrics,
            Runnable onQueued) {
        this.config = config;
        this.store = store;
        this.metrics = metrics;
        this.onQueued = onQueued;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(p);
        this.loop = Dispatcher.daemon("delivery-intake").newThread(this::run);
    }

    void start() {
        consumer.subscribe(List.of(config.alertsTopic()));
        loop.start();
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                List<Alert> alerts = new ArrayList<>(records.count());
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    Alert alert = decode(record);
                    if (alert != null) {
                        alerts.add(alert);
                    }
                }
                queueUntilStored(alerts);
                consumer.commitSync();
                onQueued.run();
            }
        } catch (WakeupException e) {
            // close() was called
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Retries a failing database until it works or the intake stops: the batch is never dropped.
     */
    private void queueUntilStored(List<Alert> alerts) throws WakeupException {
        while (running) {
            try {
                metrics.queued(store.enqueue(alerts, config.retry().window()));
                return;
            } catch (Exception e) {
                LOG.warn("event=delivery_intake_store_failed alerts={} error={}", alerts.size(), e);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new WakeupException();
                }
            }
        }
        throw new WakeupException(); // stopping: do not commit offsets of an unstored batch
    }

    private static Alert decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            Alert alert = ModelCodec.decode(record.value(), Alert.class);
            if (alert.alertId() == null || alert.monitorId() == null || alert.tenantId() == null) {
                throw new CodecException("alertId", "alertId, monitorId and tenantId are required");
            }
            return alert;
        } catch (RuntimeException e) {
            LOG.warn(
                    "event=delivery_alert_unreadable partition={} offset={} error={}",
                    record.partition(),
                    record.offset(),
                    e.getMessage());
            return null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        loop.join(15_000);
    }
}
