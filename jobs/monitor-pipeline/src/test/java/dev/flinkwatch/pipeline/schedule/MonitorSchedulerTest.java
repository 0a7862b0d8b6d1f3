package dev.flinkwatch.pipeline.schedule;

import static dev.flinkwatch.pipeline.TestSpecs.spec;
import static dev.flinkwatch.pipeline.TestSpecs.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.flink.UuidTypeInfo;
import dev.flinkwatch.model.CheckRequest;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.MonitorEvent;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.pipeline.TestSpecs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MonitorSchedulerTest {
    private static final int INTERVAL = 300;
    private static final long FIRST_SPREAD = 5_000;
    private static final long CATCH_UP = 5 * 60_000;
    private static final long T0 = 1_700_000_000_000L;

    private KeyedOneInputStreamOperatorTestHarness<UUID, MonitorEvent, CheckRequest> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new MonitorScheduler(
                                60,
                                Duration.ofSeconds(60),
                                Duration.ofMillis(CATCH_UP),
                                Duration.ofMillis(FIRST_SPREAD)),
                        MonitorEvent::monitorId,
                        UuidTypeInfo.INSTANCE);
        harness.setProcessingTime(T0);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static MonitorSpec monitor(UUID id, long version, int interval, String... urls) {
        return spec(id, version, interval, Condition.anyChange(), urls);
    }

    @Test
    void jitterIsStablePerMonitorAndSpreadsMonitorsAcrossTheInterval() {
        UUID id = UUID.randomUUID();
        long first = MonitorScheduler.jitterMillis(id, INTERVAL * 1000L);
        assertThat(MonitorScheduler.jitterMillis(UUID.fromString(id.toString()), INTERVAL * 1000L))
                .isEqualTo(first);
        assertThat(first).isBetween(0L, INTERVAL * 1000L - 1);

        int[] buckets = new int[10];
        for (int i = 0; i < 10_000; i++) {
            long j = MonitorScheduler.jitterMillis(UUID.randomUUID(), INTERVAL * 1000L);
            assertThat(j).isBetween(0L, INTERVAL * 1000L - 1);
            buckets[(int) (j / (INTERVAL * 100L))]++;
        }
        // 1,000 expected per tenth of the interval; a clustered jitter would miss this widely
        assertThat(java.util.Arrays.stream(buckets).boxed().toList())
                .allSatisfy(n -> assertThat(n).isBetween(850, 1150));
    }

    @Test
    void newMonitorIsFirstDueWithinSecondsAndEmitsOneRequestPerSource() throws Exception {
        UUID id = UUID.randomUUID();
        harness.processElement(
                upsert(monitor(id, 1, INTERVAL, "https://a.example/", "https://b.example/")), T0);
        long due = T0 + MonitorScheduler.jitterMillis(id, FIRST_SPREAD);
        assertThat(due - T0).isLessThan(FIRST_SPREAD);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        harness.setProcessingTime(due - 1);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(due);
        List<CheckRequest> out = harness.extractOutputValues();
        assertThat(out)
                .extracting(CheckRequest::url)
                .containsExactly("https://a.example/", "https://b.example/");
        assertThat(out)
                .allSatisfy(
                        r -> {
                            assertThat(r.monitorId()).isEqualTo(id);
                            assertThat(r.tenantId()).isEqualTo(TestSpecs.TENANT);
                            assertThat(r.specVersion()).isEqualTo(1);
                            assertThat(r.scheduledAt()).isEqualTo(Instant.ofEpochMilli(due));
                        });
    }

    @Test
    void checksRunAtAFixedRateWithoutDrift() throws Exception {
        UUID id = UUID.randomUUID();
        harness.processElement(upsert(monitor(id, 1, INTERVAL, "https://a.example/")), T0);
        long due = T0 + MonitorScheduler.jitterMillis(id, FIRST_SPREAD);
        // each timer fires 2 s late (a busy task); the schedule must not shift by it
        for (int k = 0; k < 5; k++) {
            harness.setProcessingTime(due + k * INTERVAL * 1000L + 2_000);
        }
        assertThat(harness.extractOutputValues())
                .extracting(r -> r.scheduledAt().toEpochMilli())
                .containsExactly(
                        due,
                        due + INTERVAL * 1000L,
                        due + 2 * INTERVAL * 1000L,
                        due + 3 * INTERVAL * 1000L,
                        due + 4 * INTERVAL * 1000L);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    }

    @Test
    void pauseRemovesTheTimerAndResumeReplans() throws Exception {
        UUID id = UUID.randomUUID();
        MonitorSpec v1 = monitor(id, 1, INTERVAL, "https://a.example/");
        harness.processElement(upsert(v1), T0);
        harness.processElement(upsert(v1.withVersion(2).withStatus(MonitorStatus.PAUSED)), T0 + 1);
        assertThat(harness.numProcessingTimeTimers()).isZero();

        harness.setProcessingTime(T0 + 10 * INTERVAL * 1000L);
        assertThat(harness.extractOutputValues()).isEmpty();

        long resumedAt = harness.getProcessingTime();
        harness.processElement(upsert(v1.withVersion(3)), resumedAt);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        long due = resumedAt + MonitorScheduler.jitterMillis(id, FIRST_SPREAD);
        harness.setProcessingTime(due);
        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(r -> assertThat(r.specVersion()).isEqualTo(3));
    }

    @Test
    void shorterIntervalReplansToTheNewIntervalAndLongerKeepsTheCurrentDueTime() throws Exception {
        UUID id = UUID.randomUUID();
        harness.processElement(upsert(monitor(id, 1, 3600, "https://a.example/")), T0);
        long originalDue = T0 + MonitorScheduler.jitterMillis(id, FIRST_SPREAD);

        harness.processElement(upsert(monitor(id, 2, 60, "https://a.example/")), T0);
        long replanned = Math.min(originalDue, T0 + 60_000);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        harness.setProcessingTime(replanned);
        assertThat(harness.extractOutputValues()).hasSize(1);

        // 60 s -> 1 h: the next check stays at its planned time, then runs hourly
        harness.processElement(upsert(monitor(id, 3, 3600, "https://a.example/")), replanned);
        harness.setProcessingTime(replanned + 60_000);
        assertThat(harness.extractOutputValues()).hasSize(2);
        harness.setProcessingTime(replanned + 60_000 + 3_599_999);
        assertThat(harness.extractOutputValues()).hasSize(2);
        harness.setProcessingTime(replanned + 60_000 + 3_600_000);
        assertThat(harness.extractOutputValues()).hasSize(3);
    }

    @Test
    void staleAndReplayedVersionsAreIgnored() throws Exception {
        UUID id = UUID.randomUUID();
        harness.processElement(upsert(monitor(id, 5, INTERVAL, "https://new.example/")), T0);
        harness.processElement(upsert(monitor(id, 4, 60, "https://old.example/")), T0);
        harness.processElement(upsert(monitor(id, 5, 60, "https://old.example/")), T0);
        harness.setProcessingTime(T0 + MonitorScheduler.jitterMillis(id, FIRST_SPREAD));
        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.url()).isEqualTo("https://new.example/");
                            assertThat(r.specVersion()).isEqualTo(5);
                        });
    }

    @Test
    void deleteLeavesNoKeyedStateAndNoTimers() throws Exception {
        UUID id = UUID.randomUUID();
        MonitorSpec spec = monitor(id, 1, INTERVAL, "https://a.example/");
        harness.processElement(upsert(spec), T0);
        assertThat(harness.numKeyedStateEntries()).isGreaterThan(0);
        harness.processElement(TestSpecs.delete(spec), T0 + 1);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
        harness.setProcessingTime(T0 + 10 * INTERVAL * 1000L);
        assertThat(harness.extractOutputValues()).isEmpty();
    }

    @Test
    void tombstoneDeletesWhateverVersionIsStored() throws Exception {
        UUID id = UUID.randomUUID();
        harness.processElement(upsert(monitor(id, 9, INTERVAL, "https://a.example/")), T0);
        harness.processElement(MonitorEvent.delete(id, null, Long.MAX_VALUE), T0);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void invalidSpecsAreRejectedWithoutState() throws Exception {
        UUID id = UUID.randomUUID();
        harness.processElement(upsert(monitor(id, 1, 10, "https://a.example/")), T0);
        harness.processElement(upsert(monitor(id, 2, INTERVAL, "ftp://a.example/")), T0);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aRejectedNewerVersionStopsTheMonitorInsteadOfRunningTheOldOne() throws Exception {
        UUID id = UUID.randomUUID();
        MonitorSpec v1 = monitor(id, 1, INTERVAL, "https://a.example/");
        harness.processElement(upsert(v1), T0);
        // v2 (say a pause written by an older API) is below this job's interval floor
        harness.processElement(upsert(monitor(id, 2, 10, "https://a.example/")), T0 + 1);
        assertThat(harness.numProcessingTimeTimers()).isZero();
        harness.setProcessingTime(T0 + 10 * INTERVAL * 1000L);
        assertThat(harness.extractOutputValues()).isEmpty();
        // v1 replayed stays stale; a valid v3 runs again
        harness.processElement(upsert(v1), harness.getProcessingTime());
        assertThat(harness.numProcessingTimeTimers()).isZero();
        harness.processElement(upsert(v1.withVersion(3)), harness.getProcessingTime());
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    }

    @Test
    void afterATenMinuteOutageEveryOverdueMonitorIsCheckedWithinTheCatchUpWindow()
            throws Exception {
        List<UUID> hourly = IntStream.range(0, 100).mapToObj(i -> UUID.randomUUID()).toList();
        List<UUID> weekly = IntStream.range(0, 100).mapToObj(i -> UUID.randomUUID()).toList();
        for (UUID id : hourly) {
            harness.processElement(upsert(monitor(id, 1, 3600, "https://h.example/")), T0);
        }
        for (UUID id : weekly) {
            harness.processElement(upsert(monitor(id, 1, 7 * 86400, "https://w.example/")), T0);
        }
        // every first check has run; now each is due again at its own phase (+1 interval)
        harness.setProcessingTime(T0 + FIRST_SPREAD);
        assertThat(harness.extractOutputValues()).hasSize(200);
        harness.getOutput().clear();

        // the job is down from one minute before the hourly monitors are due until ten minutes
        // after: timers fire late on restart; the weekly monitors are not due yet
        long restart = T0 + 3_600_000 + 10 * 60_000;
        harness.setProcessingTime(restart);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(restart + CATCH_UP);
        List<CheckRequest> caughtUp = harness.extractOutputValues();
        assertThat(caughtUp).extracting(CheckRequest::monitorId).hasSameElementsAs(hourly);
        assertThat(caughtUp)
                .allSatisfy(
                        r ->
                                assertThat(r.scheduledAt().toEpochMilli())
                                        .isBetween(restart, restart + CATCH_UP));
        harness.getOutput().clear();

        // back on the old grid: the next hourly checks are due at their own phase again
        harness.setProcessingTime(T0 + 2 * 3_600_000 + FIRST_SPREAD);
        assertThat(harness.extractOutputValues())
                .extracting(CheckRequest::monitorId)
                .hasSameElementsAs(hourly);
        harness.getOutput().clear();

        // a 10-minute outage over a weekly monitor's due time: the same bound, not 7 days
        long weeklyRestart = T0 + 7 * 86_400_000L + 10 * 60_000;
        harness.setProcessingTime(weeklyRestart);
        harness.getOutput().clear();
        harness.setProcessingTime(weeklyRestart + CATCH_UP);
        assertThat(harness.extractOutputValues())
                .extracting(CheckRequest::monitorId)
                .filteredOn(weekly::contains)
                .hasSameElementsAs(weekly);
    }

    @Test
    void aDeferredCheckRunsWhenItsTurnComesEvenIfTheJobIsStillLate() throws Exception {
        UUID id = UUID.randomUUID();
        harness.processElement(upsert(monitor(id, 1, 3600, "https://a.example/")), T0);
        long due = T0 + MonitorScheduler.jitterMillis(id, FIRST_SPREAD);
        harness.setProcessingTime(due + 600_000); // overdue: deferred into the window
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.setProcessingTime(due + 600_000 + CATCH_UP + 120_000); // fires 2 min late
        assertThat(harness.extractOutputValues()).hasSize(1);
    }

    @Test
    void overdueMonitorsAreSpreadAcrossTheCatchUpWindowInsteadOfFiringAtOnce() throws Exception {
        List<UUID> ids = IntStream.range(0, 200).mapToObj(i -> UUID.randomUUID()).toList();
        for (UUID id : ids) {
            harness.processElement(upsert(monitor(id, 1, 3600, "https://a.example/")), T0);
        }
        // the job was down for an hour: every timer fires far past its due time
        long restart = T0 + 3_600_000;
        harness.setProcessingTime(restart);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(ids.size());

        // over the catch-up window each monitor checks exactly once, spread out
        Set<UUID> checked = new HashSet<>();
        List<Integer> perTenth = new ArrayList<>();
        for (int tenth = 1; tenth <= 10; tenth++) {
            harness.setProcessingTime(restart + tenth * CATCH_UP / 10);
            List<CheckRequest> out = harness.extractOutputValues();
            int before = checked.size();
            out.forEach(r -> checked.add(r.monitorId()));
            perTenth.add(checked.size() - before);
            harness.getOutput().clear();
        }
        assertThat(checked).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(perTenth).allSatisfy(n -> assertThat(n).isLessThan(ids.size() / 4));
    }
}
