package dev.flinkwatch.pipeline.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.flink.UuidTypeInfo;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.pipeline.TestSpecs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlertDeciderTest {
    private static final String URL = "https://shop.example/widget";
    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");

    private final UUID id = UUID.randomUUID();
    private KeyedOneInputStreamOperatorTestHarness<UUID, Evaluation, Alert> harness;
    private int n;

    private void start(Duration cooldown) throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new AlertDecider(3, cooldown),
                        Evaluation::monitorId,
                        UuidTypeInfo.INSTANCE);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private void send(CheckOutcome outcome, String hash, Boolean met, boolean edge, int failures)
            throws Exception {
        Instant at = T0.plusSeconds(300L * n++);
        harness.processElement(
                new Evaluation(
                        id,
                        TestSpecs.TENANT,
                        URL,
                        outcome,
                        hash,
                        met,
                        edge,
                        met == null ? "boom" : "reason " + hash,
                        "excerpt",
                        "diff",
                        failures,
                        at,
                        at.plusMillis(50),
                        false),
                at.toEpochMilli());
    }

    private List<Alert> alerts() {
        return harness.extractOutputValues();
    }

    @Test
    void conditionAlertsOnceWhenItBecomesTrueNotWhileItStaysTrue() throws Exception {
        start(Duration.ZERO);
        send(CheckOutcome.FIRST, "h0", false, true, 0);
        send(CheckOutcome.CHANGED, "h1", true, true, 0); // becomes true: alert
        send(CheckOutcome.CHANGED, "h2", true, true, 0); // stays true: none
        send(CheckOutcome.CHANGED, "h3", false, true, 0); // false again
        send(CheckOutcome.CHANGED, "h4", true, true, 0); // true again: alert
        assertThat(alerts())
                .extracting(Alert::kind, Alert::alertId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                AlertKind.CONDITION_MET,
                                Alert.idFor(AlertKind.CONDITION_MET, id, URL, "h1")),
                        org.assertj.core.groups.Tuple.tuple(
                                AlertKind.CONDITION_MET,
                                Alert.idFor(AlertKind.CONDITION_MET, id, URL, "h4")));
        assertThat(alerts().get(0).reason()).isEqualTo("reason h1");
        assertThat(alerts().get(0).tenantId()).isEqualTo(TestSpecs.TENANT);
    }

    @Test
    void baselineNeverAlertsEvenWhenTheConditionAlreadyHolds() throws Exception {
        start(Duration.ZERO);
        send(CheckOutcome.FIRST, "h0", true, true, 0);
        send(CheckOutcome.CHANGED, "h1", true, true, 0);
        assertThat(alerts()).isEmpty();
    }

    @Test
    void anyChangeAlertsOnEveryChangeButNeverTwiceForTheSameContent() throws Exception {
        start(Duration.ZERO);
        send(CheckOutcome.FIRST, "h0", true, false, 0);
        send(CheckOutcome.CHANGED, "h1", true, false, 0);
        send(CheckOutcome.CHANGED, "h1", true, false, 0); // replayed evaluation: duplicate
        send(CheckOutcome.CHANGED, "h2", true, false, 0);
        assertThat(alerts()).extracting(Alert::alertId).doesNotHaveDuplicates().hasSize(2);
    }

    @Test
    void failingAfterThreeConsecutiveErrorsOnceThenRecoveredOnce() throws Exception {
        start(Duration.ZERO);
        send(CheckOutcome.FIRST, "h0", false, true, 0);
        send(CheckOutcome.ERROR, null, null, true, 1);
        send(CheckOutcome.ERROR, null, null, true, 2);
        assertThat(alerts()).isEmpty();
        send(CheckOutcome.ERROR, null, null, true, 3);
        send(CheckOutcome.ERROR, null, null, true, 4);
        send(CheckOutcome.UNCHANGED, "h0", null, true, 0);
        send(CheckOutcome.UNCHANGED, "h0", null, true, 0);
        assertThat(alerts())
                .extracting(Alert::kind)
                .containsExactly(AlertKind.MONITOR_FAILING, AlertKind.MONITOR_RECOVERED);
        Alert failing = alerts().get(0);
        assertThat(failing.reason()).isEqualTo("3 consecutive checks failed: boom");
        // the id derives from the due time of the check that crossed the threshold
        assertThat(failing.alertId())
                .isEqualTo(
                        Alert.idFor(
                                AlertKind.MONITOR_FAILING,
                                id,
                                URL,
                                T0.plusSeconds(900).toString()));
    }

    @Test
    void cooldownSuppressesConditionAlertsTooCloseToTheLastOne() throws Exception {
        start(Duration.ofMinutes(10));
        send(CheckOutcome.FIRST, "h0", false, false, 0);
        send(CheckOutcome.CHANGED, "h1", true, false, 0); // t=300 s: alert
        send(CheckOutcome.CHANGED, "h2", true, false, 0); // t=600 s: 5 min later, suppressed
        send(CheckOutcome.CHANGED, "h3", true, false, 0); // t=900 s: 10 min later, alert
        send(CheckOutcome.CHANGED, "h4", true, false, 0); // t=1200 s: 5 min later, suppressed
        assertThat(alerts())
                .extracting(Alert::alertId)
                .containsExactly(
                        Alert.idFor(AlertKind.CONDITION_MET, id, URL, "h1"),
                        Alert.idFor(AlertKind.CONDITION_MET, id, URL, "h3"));
    }

    @Test
    void forgettingTheMonitorLeavesNoState() throws Exception {
        start(Duration.ofMinutes(1));
        send(CheckOutcome.FIRST, "h0", false, true, 0);
        send(CheckOutcome.CHANGED, "h1", true, true, 0);
        assertThat(harness.numKeyedStateEntries()).isGreaterThan(0);
        harness.processElement(Evaluation.forget(id, TestSpecs.TENANT, null), 0);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }
}
