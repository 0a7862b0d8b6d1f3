package dev.flinkwatch.pipeline;

import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.testing.TestKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Follows the check-results topic from its beginning on a background thread and keeps every result
 * by monitor, once per check (the topic is written at least once, so a replay may repeat one). The
 * pipeline's own timestamps in these results (due, fetch start) are what schedule assertions use.
 */
final class CheckResultLog implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final Map<UUID, List<CheckResult>> byMonitor = new ConcurrentHashMap<>();
    private final Set<CheckKey> seen = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    private CheckResultLog(String topic) {
        consumer = new KafkaConsumer<>(TestKafka.consumerProperties(false));
        List<TopicPartition> partitions =
                consumer.partitionsFor(topic).stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(this::run, "check-result-log");
        thread.setDaemon(true);
        thread.start();
    }

    static CheckResultLog follow(String topic) {
        return new CheckResultLog(topic);
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    add(ModelCodec.decode(r.value(), CheckResult.class));
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    private void add(CheckResult r) {
        if (seen.add(new CheckKey(r.monitorId(), r.sourceUrl(), r.scheduledAt()))) {
            byMonitor
                    .computeIfAbsent(
                            r.monitorId(), id -> Collections.synchronizedList(new ArrayList<>()))
                    .add(r);
        }
    }

    /** What identifies one check (as in check_runs). */
    private record CheckKey(UUID monitor, String url, Instant scheduledAt) {}

    /** The results of a monitor so far, in arrival order (a copy). */
    List<CheckResult> of(UUID monitor) {
        List<CheckResult> list = byMonitor.get(monitor);
        if (list == null) {
            return List.of();
        }
        synchronized (list) {
            return new ArrayList<>(list);
        }
    }

    /** The results of several monitors so far (a copy). */
    List<CheckResult> of(Collection<UUID> monitors) {
        return monitors.stream().flatMap(id -> of(id).stream()).collect(Collectors.toList());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
