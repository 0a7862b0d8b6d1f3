package dev.flinkwatch.pipeline;

import static dev.flinkwatch.pipeline.TestSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.pipeline.alert.AlertDecider;
import dev.flinkwatch.testing.FlinkTestCluster;
import dev.flinkwatch.testing.TestKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows PostgreSQL refuses reach the pipeline's PostgreSQL sinks (a NUL byte, as if a sanitizer had
 * missed it): a check run whose diff carries one, and an alert on the committed alerts topic whose
 * excerpt does. Both are dead-lettered with their monitor id and reason, counted in {@code
 * deadLettered}, and the job goes on without a single restart: later rows of the same monitor and
 * of others land.
 */
class MonitorPipelineDeadLetterIT {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The monitor whose "v2" check run gets a NUL in its diff on its way into the sink. */
    static volatile UUID poisoned;

    @TempDir Path checkpoints;

    @Test
    void refusedRowsAreDeadLetteredAndTheJobNeverRestarts(@InjectClusterRESTAddress URI rest)
            throws Exception {
        try (PipelineFixture f = new PipelineFixture();
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(TestKafka.producerProperties())) {
            f.site.page("/poisoned", "<p>v1</p>");
            f.site.page("/healthy", "<p>h1</p>");
            MonitorSpec bad =
                    spec(UUID.randomUUID(), 1, 1, Condition.anyChange(), f.site.url("/poisoned"));
            MonitorSpec good =
                    spec(UUID.randomUUID(), 1, 1, Condition.anyChange(), f.site.url("/healthy"));
            f.upsert(bad);
            f.upsert(good);
            poisoned = bad.id();

            Configuration conf = f.config(checkpoints);
            StreamExecutionEnvironment env = f.environment(conf);
            MonitorPipeline.Sinks real = MonitorPipelineJob.sinks(conf);
            MonitorPipelineJob.wire(
                    env,
                    conf,
                    PipelineFixture.noLlm(),
                    new MonitorPipeline.Sinks(
                            real.alertStore(),
                            real.alertTopic(),
                            real.checkResultTopic(),
                            new NulInDiff(real.checkRuns()),
                            real.status()));
            JobClient job = env.executeAsync("monitor-pipeline-dead-letters");
            try {
                f.awaitBaselines(List.of(bad.id(), good.id()));
                f.site.page("/poisoned", "<p>v2</p>");
                f.site.page("/healthy", "<p>h2</p>");
                Alert nulAlert =
                        new Alert(
                                "nul-" + UUID.randomUUID(),
                                AlertKind.CONDITION_MET,
                                bad.id(),
                                bad.tenantId(),
                                f.site.url("/poisoned"),
                                Instant.now(),
                                "planted",
                                "an excerpt with a \0 byte",
                                null);
                producer.send(
                                new ProducerRecord<>(
                                        f.alertsTopic,
                                        bad.id().toString().getBytes(StandardCharsets.UTF_8),
                                        ModelCodec.encode(nulAlert)))
                        .get();

                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> deadLetters(f).size() == 2);
                assertThat(deadLetters(f))
                        .containsExactlyInAnyOrder(
                                List.of("alerts", bad.id().toString(), "22021"),
                                List.of("check_runs", bad.id().toString(), "22021"));
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> f.checkRuns(good.id(), CheckOutcome.CHANGED.name()) == 1);
                assertThat(f.checkRuns(bad.id(), CheckOutcome.CHANGED.name())).isZero();

                // later rows of the poisoned monitor land
                f.site.page("/poisoned", "<p>v3</p>");
                String secondEpisode = episode(bad, f.site.url("/poisoned"), 2);
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> f.checkRuns(bad.id(), CheckOutcome.CHANGED.name()) == 1);
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> f.alertsInDb().containsKey(secondEpisode));
                assertThat(f.alertsInDb())
                        .containsKeys(
                                episode(bad, f.site.url("/poisoned"), 1),
                                episode(good, f.site.url("/healthy"), 1))
                        .doesNotContainKey(nulAlert.alertId());

                String jobPath = rest.resolve("/jobs/" + job.getJobID()).toString();
                assertThat(get(jobPath + "/exceptions").path("exceptionHistory").path("entries"))
                        .isEmpty();
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> deadLetteredMetric(jobPath) == 2);
                assertThat(numRestarts(jobPath)).isZero();
                assertThat(get(jobPath).path("state").asText()).isEqualTo("RUNNING");
            } finally {
                job.cancel().get();
            }
        }
    }

    private static String episode(MonitorSpec spec, String url, int n) {
        return Alert.idFor(
                AlertKind.CONDITION_MET, spec.id(), url, AlertDecider.conditionEpisode(0, n));
    }

    /** (sink, monitor id, SQLState) of every dead letter. */
    private static List<List<String>> deadLetters(PipelineFixture f) throws Exception {
        List<List<String>> out = new ArrayList<>();
        try (Connection c = f.db.dataSource().getConnection();
                ResultSet rs =
                        c.createStatement()
                                .executeQuery(
                                        "SELECT sink, monitor_id::text, sql_state FROM"
                                                + " dead_letters")) {
            while (rs.next()) {
                out.add(List.of(rs.getString(1), rs.getString(2), rs.getString(3)));
            }
        }
        return out;
    }

    /** The job's numRestarts metric (awaited: the REST metric cache fills a while after start). */
    private static long numRestarts(String jobPath) {
        JsonNode[] metric = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () -> {
                            metric[0] = get(jobPath + "/metrics?get=numRestarts");
                            return metric[0].size() == 1;
                        });
        return metric[0].get(0).path("value").asLong();
    }

    /** deadLettered summed over every subtask of every vertex (two sinks have one). */
    private static long deadLetteredMetric(String jobPath) throws Exception {
        long sum = 0;
        for (JsonNode vertex : get(jobPath).path("vertices")) {
            String vertexPath = jobPath + "/vertices/" + vertex.path("id").asText();
            for (JsonNode m : get(vertexPath + "/subtasks/metrics")) {
                String id = m.path("id").asText();
                if (id.endsWith(".deadLettered")) {
                    JsonNode value =
                            get(vertexPath + "/subtasks/metrics?agg=sum&get=" + encode(id));
                    sum += value.get(0).path("sum").asLong();
                }
            }
        }
        return sum;
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static JsonNode get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return ModelCodec.mapper().readTree(response.body());
    }

    /** The real check-runs sink, fed a NUL in the poisoned monitor's "v2" diff. */
    static final class NulInDiff implements Sink<CheckResult> {
        private final Sink<CheckResult> sink;

        NulInDiff(Sink<CheckResult> sink) {
            this.sink = sink;
        }

        @Override
        public SinkWriter<CheckResult> createWriter(WriterInitContext context) throws IOException {
            SinkWriter<CheckResult> writer = sink.createWriter(context);
            return new SinkWriter<>() {
                @Override
                public void write(CheckResult r, Context ctx)
                        throws IOException, InterruptedException {
                    boolean poison =
                            r.monitorId().equals(poisoned)
                                    && r.diff() != null
                                    && r.diff().contains("+ v2");
                    writer.write(poison ? r.withDiff(r.diff() + "\0") : r, ctx);
                }

                @Override
                public void flush(boolean endOfInput) throws IOException, InterruptedException {
                    writer.flush(endOfInput);
                }

                @Override
                public void close() throws Exception {
                    writer.close();
                }
            };
        }
    }
}
