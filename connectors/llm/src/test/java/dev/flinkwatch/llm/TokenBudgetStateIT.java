package dev.flinkwatch.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.testing.OpenAiStub;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tenants' token counts are operator state of the async operator: a restore from a checkpoint
 * keeps a tenant that used up its budget skipped (Flink's own AsyncWaitOperator, real HTTP).
 */
class TokenBudgetStateIT {
    private static OpenAiStub stub;

    @BeforeAll
    static void startStub() {
        stub = OpenAiStub.start();
        stub.answerWith(request -> OpenAiStub.verdict(true, "yes", null));
    }

    @AfterAll
    static void stopStub() {
        stub.close();
    }

    @Test
    void aRestoredEvaluatorRemembersTheTenantsSpending() throws Exception {
        UUID tenant = UUID.randomUUID();
        LlmRequest first = Requests.request(UUID.randomUUID(), tenant, "c", "", "first");
        // room for one call's worst case; what it really costs leaves too little for another
        long budget =
                Requests.worstCase(first, LlmConfig.fromEnv(Map.of("OPENAI_BASE_URL", "x"))) + 100;
        LlmConfig config =
                LlmConfig.fromEnv(
                        Map.of(
                                "OPENAI_BASE_URL",
                                stub.baseUrl(),
                                "MONITOR_LLM_TENANT_DAILY_TOKENS",
                                String.valueOf(budget)));
        OperatorSubtaskState checkpoint;
        try (OneInputStreamOperatorTestHarness<LlmRequest, Verdict> before = harness(config)) {
            before.open();
            before.processElement(first, 0);
            before.endInput(); // waits for the call
            assertThat(before.extractOutputValues())
                    .singleElement()
                    .satisfies(v -> assertThat(v.status()).isEqualTo(VerdictStatus.TRIGGERED));
            checkpoint = before.snapshot(1, 1);
        }

        List<Verdict> after;
        try (OneInputStreamOperatorTestHarness<LlmRequest, Verdict> restored = harness(config)) {
            restored.initializeState(checkpoint);
            restored.open();
            restored.processElement(
                    Requests.request(UUID.randomUUID(), tenant, "c", "", "second"), 2);
            restored.processElement(Requests.request("c", "", "other tenant"), 3);
            restored.endInput();
            after = restored.extractOutputValues();
        }

        assertThat(after)
                .extracting(Verdict::status)
                .containsExactlyInAnyOrder(VerdictStatus.SKIPPED_BUDGET, VerdictStatus.TRIGGERED);
        assertThat(stub.requests()).as("first and other tenant").hasSize(2);
    }

    /** Flink's AsyncWaitOperator around the evaluator, as strict as jobs: no Kryo. */
    private static OneInputStreamOperatorTestHarness<LlmRequest, Verdict> harness(LlmConfig config)
            throws Exception {
        SerializerConfigImpl noKryo = new SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        OneInputStreamOperatorTestHarness<LlmRequest, Verdict> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new AsyncWaitOperatorFactory<>(
                                new LlmEvaluator(config),
                                config.recommendedAsyncTimeout().toMillis(),
                                10,
                                AsyncDataStream.OutputMode.UNORDERED),
                        FlinkTypes.info(LlmRequest.class).createSerializer(noKryo));
        ((SerializerConfigImpl) harness.getExecutionConfig().getSerializerConfig())
                .setGenericTypes(false);
        return harness;
    }
}
