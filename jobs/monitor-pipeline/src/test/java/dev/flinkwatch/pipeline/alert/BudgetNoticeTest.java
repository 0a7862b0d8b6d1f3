package dev.flinkwatch.pipeline.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.flink.UuidTypeInfo;
import dev.flinkwatch.llm.Verdict;
import dev.flinkwatch.llm.VerdictStatus;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.pipeline.TestSpecs;
import java.time.Instant;
import java.util.UUID;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class BudgetNoticeTest {
    private static Verdict verdict(VerdictStatus status, String at) {
        return new Verdict(
                UUID.randomUUID(),
                TestSpecs.TENANT,
                "https://a.example/",
                "h",
                1,
                Instant.parse(at),
                status,
                null,
                null,
                null,
                0,
                0,
                false,
                status == VerdictStatus.SKIPPED_BUDGET ? "daily token budget exhausted" : null);
    }

    @Test
    void oneNoticePerTenantAndUtcDay() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<UUID, Verdict, Alert> harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new BudgetNotice(), Verdict::tenantId, UuidTypeInfo.INSTANCE)) {
            harness.processElement(verdict(VerdictStatus.TRIGGERED, "2026-11-28T08:00:00Z"), 0);
            harness.processElement(
                    verdict(VerdictStatus.SKIPPED_BUDGET, "2026-11-28T09:00:00Z"), 0);
            harness.processElement(
                    verdict(VerdictStatus.SKIPPED_BUDGET, "2026-11-28T23:59:00Z"), 0);
            harness.processElement(
                    verdict(VerdictStatus.SKIPPED_BUDGET, "2026-11-29T00:01:00Z"), 0);
            assertThat(harness.extractOutputValues())
                    .hasSize(2)
                    .allSatisfy(a -> assertThat(a.kind()).isEqualTo(AlertKind.LLM_BUDGET_EXCEEDED))
                    .extracting(Alert::alertId)
                    .doesNotHaveDuplicates();
            assertThat(harness.extractOutputValues().get(0).reason())
                    .contains("daily LLM token budget is used up");
        }
    }
}
