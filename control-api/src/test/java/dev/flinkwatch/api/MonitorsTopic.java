package dev.flinkwatch.api;

import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorEvent;
import dev.flinkwatch.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads the monitors topic from the beginning, as per-monitor event sequences. */
final class MonitorsTopic {
    private MonitorsTopic() {}

    /** What a record on the topic says: an event, or the tombstone (version -1). */
    record Entry(String type, long version) {
        static final Entry TOMBSTONE = new Entry("tombstone", -1);

        @Override
        public String toString() {
            return type + (version >= 0 ? ":" + version : "");
        }
    }

    /**
     * Polls until {@code done} holds for the per-monitor sequences (in partition order, which is
     * per-key order) or the timeout passes; returns what was read either way.
     */
    static Map<UUID, List<Entry>> read(
            String topic, Predicate<Map<UUID, List<Entry>>> done, Duration timeout) {
        Map<UUID, List<Entry>> byMonitor = new LinkedHashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(TestKafka.consumerProperties(false))) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic)
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(byMonitor) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    UUID monitor = UUID.fromString(new String(r.key(), StandardCharsets.UTF_8));
                    Entry entry;
                    if (r.value() == null) {
                        entry = Entry.TOMBSTONE;
                    } else {
                        MonitorEvent event = ModelCodec.decode(r.value(), MonitorEvent.class);
                        if (!event.monitorId().equals(monitor)) {
                            throw new AssertionError("key " + monitor + " carries " + event);
                        }
                        entry = new Entry(event.type().json(), event.version());
                    }
                    byMonitor.computeIfAbsent(monitor, k -> new ArrayList<>()).add(entry);
                }
            }
        }
        return byMonitor;
    }

    /**
     * The state a monitor's sequence must end in: its newest upsert, or its delete and the
     * tombstone. Versions in between may be missing: a newer outbox row supersedes unpublished
     * older ones.
     */
    static List<Entry> finalState(long lastVersion, boolean deleted) {
        return deleted
                ? List.of(new Entry("delete", lastVersion), Entry.TOMBSTONE)
                : List.of(new Entry("upsert", lastVersion));
    }

    /** True when {@code seen} ends in {@link #finalState}. */
    static boolean converged(List<Entry> seen, long lastVersion, boolean deleted) {
        List<Entry> tail = finalState(lastVersion, deleted);
        return seen != null
                && seen.size() >= tail.size()
                && seen.subList(seen.size() - tail.size(), seen.size()).equals(tail);
    }

    /**
     * Every version there could be: upserts 1..n-1, then delete n and the tombstone when deleted.
     */
    static List<Entry> expected(long lastVersion, boolean deleted) {
        List<Entry> out = new ArrayList<>();
        for (long v = 1; v <= lastVersion; v++) {
            out.add(new Entry(deleted && v == lastVersion ? "delete" : "upsert", v));
        }
        if (deleted) {
            out.add(Entry.TOMBSTONE);
        }
        return out;
    }

    /**
     * The sequence without re-sends, checking order on the way: at-least-once delivery may repeat
     * an entry, but a monitor's versions never go backwards.
     */
    static List<Entry> distinctInOrder(List<Entry> entries) {
        long highest = 0;
        for (Entry e : entries) {
            if (!e.equals(Entry.TOMBSTONE)) {
                if (e.version() < highest) {
                    throw new AssertionError("version went back to " + e + " in " + entries);
                }
                highest = e.version();
            }
        }
        return entries.stream().distinct().toList();
    }
}
