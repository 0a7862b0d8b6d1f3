package dev.flinkwatch.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/** The real KRaft broker: a compacted topic keeps the latest value per key and tombstones. */
class KafkaBrokerIT {

    @Test
    void compactedTopicCarriesUpsertsAndTombstones() throws Exception {
        String topic = TestKafka.uniqueTopic("monitors");
        TestKafka.createTopic(topic, 2, true);

        try (Admin admin = Admin.create(TestKafka.adminProperties())) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config =
                    admin.describeConfigs(List.of(resource))
                            .all()
                            .get(30, TimeUnit.SECONDS)
                            .get(resource);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        }

        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(TestKafka.producerProperties())) {
            producer.send(record(topic, "m1", "v1")).get();
            producer.send(record(topic, "m2", "v1")).get();
            producer.send(record(topic, "m1", "v2")).get();
            producer.send(record(topic, "m2", null)).get(); // tombstone: m2 deleted
        }

        List<ConsumerRecord<byte[], byte[]>> read = readAll(topic, 4);
        assertThat(read).hasSize(4);
        Map<String, String> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : read) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                latest.remove(key);
            } else {
                latest.put(key, new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        // a consumer that rebuilds state from the topic ends with m1=v2 and no m2
        assertThat(latest).containsExactly(Map.entry("m1", "v2"));
        assertThat(read.stream().filter(r -> r.value() == null).count()).isEqualTo(1);
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
        return new ProducerRecord<>(
                topic,
                key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        List<ConsumerRecord<byte[], byte[]>> out = new java.util.ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(TestKafka.consumerProperties(true))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }
}
