package dev.flinkwatch.api.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
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

    @Test
    void aProbeThatIgnoresInterruptsIsNotStartedAgainWhileItHangs() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        try (Readiness readiness = new Readiness()) {
            readiness.add(
                    new ReadinessCheck(
                            "stuck",
                            () -> {
                                started.incrementAndGet();
                                while (true) {
                                    try {
                                        release.await();
                                        return;
                                    } catch (InterruptedException ignored) {
                                        // a badly behaved probe: keeps waiting
                                    }
                                }
                            }));
            for (int i = 0; i < 2; i++) {
                assertThat(readiness.evaluate().checks().get("stuck"))
                        .startsWith("failed: no answer within");
            }
            assertThat(started).as("one thread held, not one per /readyz call").hasValue(1);
            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> readiness.evaluate().ready());
            assertThat(started).hasValue(2);
        }
    }

    @Test
    void longReasonsAreCut() {
        try (Readiness readiness = new Readiness()) {
            readiness.add(
                    new ReadinessCheck(
                            "chatty",
                            () -> {
                                throw new IllegalStateException("x".repeat(10_000));
                            }));
            assertThat(readiness.evaluate().checks().get("chatty")).hasSizeLessThanOrEqualTo(300);
        }
    }
}
