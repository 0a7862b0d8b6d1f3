package dev.flinkwatch.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A Flink job on the shared MiniCluster reads the real broker and checkpoints to a temp dir. */
class MiniClusterKafkaIT {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    @TempDir Path checkpoints;

    @Test
    void jobReadsKafkaAndCompletesCheckpoints() throws Exception {
        String topic = TestKafka.uniqueTopic("events");
        TestKafka.createTopic(topic, 2, false);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(TestKafka.producerProperties())) {
            for (int i = 0; i < 100; i++) {
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                ("k" + i).getBytes(StandardCharsets.UTF_8),
                                ("event-" + i).getBytes(StandardCharsets.UTF_8)));
            }
        }

        Configuration conf = FlinkTestCluster.jobConfig();
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(300));
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);

        KafkaSource<String> source =
                KafkaSource.<String>builder()
                        .setBootstrapServers(TestKafka.bootstrapServers())
                        .setTopics(topic)
                        .setGroupId("it-" + topic)
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setValueOnlyDeserializer(new SimpleStringSchema())
                        .build();
        CloseableIterator<String> results =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka")
                        .map(String::toUpperCase)
                        .collectAsync();
        JobClient job = env.executeAsync("kafka-read-with-checkpoints");
        try (results) {
            List<String> seen = new ArrayList<>();
            while (seen.size() < 100 && results.hasNext()) {
                seen.add(results.next());
            }
            assertThat(seen).hasSize(100).allMatch(s -> s.startsWith("EVENT-"));
            assertThat(seen).doesNotHaveDuplicates();
            // Flink retains one completed checkpoint by default, so counting directories races
            // with its cleanup; the highest completed id only grows.
            await().atMost(Duration.ofSeconds(60))
                    .ignoreExceptions() // a directory can vanish mid-walk while Flink cleans up
                    .until(() -> latestCompletedCheckpointId() >= 2);
        } finally {
            job.cancel().get();
        }
        assertThat(completedCheckpoints()).isNotEmpty();
    }

    private long latestCompletedCheckpointId() throws IOException {
        return completedCheckpoints().stream()
                .mapToLong(p -> Long.parseLong(p.getFileName().toString().substring(4)))
                .max()
                .orElse(0);
    }

    /** Checkpoint directories with a written _metadata file (i.e. completed checkpoints). */
    private List<Path> completedCheckpoints() throws IOException {
        try (Stream<Path> files = Files.walk(checkpoints)) {
            return files.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .map(Path::getParent)
                    .filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .toList();
        }
    }
}
