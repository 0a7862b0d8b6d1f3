package dev.flinkwatch.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.testing.FlinkTestCluster;
import dev.flinkwatch.testing.OpenAiStub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many monitors on one popular page: in a job keyed by {@link LlmRequest#routingKey()}, the
 * endpoint is called once per tenant and distinct (condition, content), whatever the number of that
 * tenant's monitors, and content that flips back costs nothing. Tenants never share a verdict.
 */
class VerdictCacheIT {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final String CONDITION = "alert me when the price drops below $50";
    private static OpenAiStub stub;

    @BeforeAll
    static void startStub() {
        // slow enough that monitors' requests for one content arrive while its call is in flight
        stub = OpenAiStub.start();
        stub.answerWith(
                request ->
                        OpenAiStub.verdict(
                                        OpenAiStub.messagesText(request).contains("$45"),
                                        "judged",
                                        null)
                                .after(Duration.ofMillis(300)));
    }

    @AfterAll
    static void stopStub() {
        stub.close();
    }

    @Test
    void fiftyMonitorsOnOnePageCostOneCallPerTenantAndDistinctContent() throws Exception {
        stub.clear();
        List<String> versions =
                List.of(
                        "Blue kettle. Price: $60",
                        "Blue kettle. Price: $45",
                        "Blue kettle. Price: $60", // flips back
                        "Blue kettle. Price: $55");
        List<LlmRequest> requests = new ArrayList<>();
        List<UUID> monitors = new ArrayList<>();
        for (int m = 0; m < 50; m++) {
            monitors.add(UUID.randomUUID());
        }
        for (String version : versions) {
            for (int m = 0; m < 50; m++) {
                UUID tenant = new UUID(0, m % 7); // monitors of several tenants
                requests.add(Requests.request(monitors.get(m), tenant, CONDITION, "", version));
            }
        }

        List<Verdict> verdicts = run(requests);

        assertThat(verdicts).hasSize(200);
        assertThat(stub.requests()).as("7 tenants x 3 distinct contents").hasSize(21);
        assertThat(verdicts).filteredOn(v -> !v.cached()).hasSize(21);
        assertThat(verdicts).filteredOn(Verdict::cached).allMatch(v -> v.tokensIn() == 0);
        assertThat(verdicts)
                .filteredOn(v -> v.status() == VerdictStatus.TRIGGERED)
                .hasSize(50)
                .allMatch(v -> v.contentHash().equals(Requests.hash(versions.get(1))));
        assertThat(verdicts)
                .filteredOn(v -> v.status() == VerdictStatus.NOT_TRIGGERED)
                .hasSize(150);
    }

    @Test
    void theConditionIsPartOfTheKey() throws Exception {
        stub.clear();
        List<LlmRequest> requests = new ArrayList<>();
        UUID tenant = UUID.randomUUID();
        for (int m = 0; m < 20; m++) {
            String condition = m % 2 == 0 ? CONDITION : "alert me when it is out of stock";
            requests.add(
                    Requests.request(
                            UUID.randomUUID(), tenant, condition, "", "Green kettle. Price: $45"));
        }

        List<Verdict> verdicts = run(requests);

        assertThat(verdicts).hasSize(20);
        assertThat(stub.requests()).hasSize(2);
    }

    private static List<Verdict> run(List<LlmRequest> requests) throws Exception {
        LlmConfig config =
                LlmConfig.fromEnv(
                        Map.of("OPENAI_BASE_URL", stub.baseUrl(), "MONITOR_LLM_MODEL", "m"));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkTestCluster.jobConfig());
        env.setParallelism(FlinkTestCluster.SLOTS);
        DataStream<LlmRequest> input = env.fromData(requests, FlinkTypes.info(LlmRequest.class));
        return AsyncDataStream.unorderedWait(
                        input.keyBy(LlmRequest::routingKey, Types.STRING),
                        new LlmEvaluator(config),
                        config.recommendedAsyncTimeout().toMillis(),
                        TimeUnit.MILLISECONDS,
                        config.maxInFlight())
                .executeAndCollect("llm-verdict-cache-it", requests.size());
    }
}
