package dev.flinkwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flinkwatch.llm.LlmConfig;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.model.Source;
import dev.flinkwatch.testing.FlinkTestCluster;
import dev.flinkwatch.testing.OpenAiStub;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An llm condition end to end: only changed content reaches the (stub) model, and an alert is
 * raised exactly when the model answers triggered=true, edge-triggered like the rules, carrying the
 * model's reason.
 */
class MonitorPipelineLlmIT {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    @TempDir Path checkpoints;

    @Test
    void alertExactlyWhenTheModelSaysTriggered() throws Exception {
        try (PipelineFixture f = new PipelineFixture();
                OpenAiStub stub = OpenAiStub.start()) {
            // the stub plays a model that reads the price from the untrusted-content block
            stub.answerWith(
                    request -> {
                        String text = OpenAiStub.messagesText(request);
                        boolean below = text.contains("+ $49.00") || text.contains("+ $48.00");
                        return OpenAiStub.verdict(
                                below,
                                below ? "the price fell below $50" : "the price is $50 or more",
                                below ? "49.00" : null);
                    });
            f.site.page("/price", "<span id=price>$59.00</span>");
            MonitorSpec spec =
                    new MonitorSpec(
                            UUID.randomUUID(),
                            TestSpecs.TENANT,
                            1,
                            "price",
                            List.of(new Source(f.site.url("/price"), "#price")),
                            1,
                            Condition.llm("alert me when the price drops below $50"),
                            List.of(),
                            null,
                            MonitorStatus.ACTIVE);
            f.upsert(spec);

            Configuration conf = f.config(checkpoints);
            LlmConfig llm =
                    LlmConfig.fromEnv(
                            Map.of(
                                    "OPENAI_BASE_URL", stub.baseUrl(),
                                    "OPENAI_API_KEY", "test-key",
                                    "MONITOR_LLM_MODEL", "stub-model"));
            JobClient job = MonitorPipelineJob.start(f.environment(conf), conf, llm);
            try {
                f.awaitBaselines(List.of(spec.id()));
                Thread.sleep(2_000);
                assertThat(stub.requests()).as("the baseline costs no LLM call").isEmpty();

                f.site.page("/price", "<span id=price>$55.00</span>");
                await().atMost(Duration.ofSeconds(30)).until(() -> stub.requests().size() == 1);
                f.site.page("/price", "<span id=price>$49.00</span>");
                await().atMost(Duration.ofSeconds(30)).until(() -> f.alertsInDb().size() == 1);
                f.site.page("/price", "<span id=price>$48.00</span>");
                await().atMost(Duration.ofSeconds(30)).until(() -> stub.requests().size() == 3);
                Thread.sleep(3_000);

                // $55: not triggered; $49: triggered -> alert; $48: still triggered -> no alert
                assertThat(stub.requests()).hasSize(3);
                assertThat(stub.requests().get(0).path("model").asText()).isEqualTo("stub-model");
                assertThat(f.alertsInDb()).hasSize(1);
                await().atMost(Duration.ofSeconds(30)).until(() -> f.alertsInKafka().size() == 1);
                Alert alert = f.alertsInKafka().get(0);
                assertThat(alert.kind()).isEqualTo(AlertKind.CONDITION_MET);
                assertThat(alert.monitorId()).isEqualTo(spec.id());
                assertThat(alert.reason()).isEqualTo("the price fell below $50");
            } finally {
                job.cancel().get();
            }
        }
    }
}
