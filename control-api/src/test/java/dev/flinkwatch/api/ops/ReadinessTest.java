package dev.flinkwatch.api.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadinessTest {
    @Test
    void readyOnlyWhenEveryCheckPasses() {
        try (Readiness readiness = new Readiness()) {
            readiness.add(new ReadinessCheck("database", () -> {}));
            assertThat(readiness.evaluate().ready()).isTrue();

            readiness.add(
                    new ReadinessCheck(
                            "flink-job",
                            () -> {
                                throw new IllegalStateException("job is FAILING");
                            }));
            Readiness.Report report = readiness.evaluate();
            assertThat(report.ready()).isFalse();
            assertThat(report.checks()).containsEntry("database", "ok");
            assertThat(report.checks().get("flink-job"))
                    .isEqualTo("failed: IllegalStateException: job is FAILING");
        }
    }

    @Test
    void aProbeThatDoesNotAnswerInTimeFails() {
        try (Readiness readiness = new Readiness()) {
            readiness.add(new ReadinessCheck("slow", () -> Thread.sleep(60_000)));
            Readiness.Report report = readiness.evaluate();
            assertThat(report.ready()).isFalse();
            assertThat(report.checks().get("slow")).startsWith("failed: no answer within");
        }
    }
}
