package dev.flinkwatch.pipeline.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.flinkwatch.flink.UuidTypeInfo;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.pipeline.TestSpecs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlertDeciderTest {
    private static final String URL = "https://shop.example/widget";
    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");

    private final UUID id = UUID.randomUUID();
    private KeyedOneInputStreamOperatorTestHarness<UUID, Evaluation, Alert> harness;
    private Duration cooldown;
    private int n;
    private long version;

    private void start(Duration cooldown) throws Exception {
        this.cooldown = cooldown;
        harness = newHarness();
        harness.open();
    }

    private KeyedOneInputStreamOperatorTestHarness<UUID, Evaluation, Alert> newHarness()
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new AlertDecider(3, cooldown)),
                Evaluation::monitorId,
                UuidTypeInfo.INSTANCE);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    /** One check, in check order; a new content (FIRST / CHANGED) gets the next version. */
    private Evaluation check(
            CheckOutcome outcome, String hash, Boolean met, boolean edge, int fails)
            throws Exception {
        Instant at = T0.plusSeconds(300L * n++);
        if (outcome == CheckOutcome.FIRST || outcome == CheckOutcome.CHANGED) {
            version++;
        }
        CheckResult result =
                new CheckResult(
                        id,
                        TestSpecs.TENANT,
                        URL,
                        at,
                        at,
                        at.plusMillis(50),
                        outcome,
                        outcome == CheckOutcome.ERROR ? null : 200,
                        hash,
                        outcome == CheckOutcome.ERROR ? "TIMEOUT" : null,
                        outcome == CheckOutcome.ERROR ? "boom" : null,
                        50,
                        outcome == CheckOutcome.CHANGED ? "+ " + hash : null,
                        null);
        Evaluation e =
                Evaluation.ofCheck(
                        result,
                        version,
                        met,
                        edge,
                        met == null ? "boom" : "reason " + hash,
                        "excerpt",
                        fails);
        harness.setProcessingTime(at.toEpochMilli());
        harness.processElement(e, at.toEpochMilli());
        return e;
    }

    private void verdict(Evaluation change, boolean met) throws Exception {
        harness.processElement(
                new Evaluation(
                        Evaluation.Kind.VERDICT,
                        id,
                        TestSpecs.TENANT,
                        URL,
                        CheckOutcome.CHANGED,
                        change.contentHash(),
                        change.contentVersion(),
                        met,
                        true,
                        "llm says " + met,
                        null,
                        null,
                        0,
                        change.scheduledAt(),
                        change.detectedAt()),
                harness.getProcessingTime());
    }

    private List<Alert> alerts() {
        return harness.extractOutputValues();
    }

    private String episode(AlertKind kind, String n) {
        return Alert.idFor(kind, id, URL, n);
    }

    @Test
    void conditionAlertsOnceWhenItBecomesTrueNotWhileItStaysTrue() throws Exception {
        start(Duration.ZERO);
        check(CheckOutcome.FIRST, "h0", false, true, 0);
        check(CheckOutcome.CHANGED, "h1", true, true, 0); // becomes true: alert
        check(CheckOutcome.CHANGED, "h2", true, true, 0); // stays true: none
        check(CheckOutcome.CHANGED, "h3", false, true, 0); // false again
        check(CheckOutcome.CHANGED, "h4", true, true, 0); // true again: alert
        assertThat(alerts())
                .extracting(Alert::kind, Alert::alertId)
                .containsExactly(
                        tuple(
                                AlertKind.CONDITION_MET,
                                episode(
                                        AlertKind.CONDITION_MET,
                                        AlertDecider.conditionEpisode(0, 1))),
                        tuple(
                                AlertKind.CONDITION_MET,
                                episode(
                                        AlertKind.CONDITION_MET,
                                        AlertDecider.conditionEpisode(0, 2))));
        assertThat(alerts().get(0).reason()).isEqualTo("reason h1");
        assertThat(alerts().get(0).tenantId()).isEqualTo(TestSpecs.TENANT);
    }

    @Test
    void aPriceReturningToAValueSeenBeforeAlertsAgain() throws Exception {
        start(Duration.ZERO);
        // number condition "< 50": 60 (baseline), 45, 60, 45
        check(CheckOutcome.FIRST, "price-60", false, true, 0);
        check(CheckOutcome.CHANGED, "price-45", true, true, 0);
        check(CheckOutcome.CHANGED, "price-60", false, true, 0);
        check(CheckOutcome.CHANGED, "price-45", true, true, 0);
        assertThat(alerts()).hasSize(2).extracting(Alert::alertId).doesNotHaveDuplicates();
    }

    @Test
    void anyChangeBackAndForthRaisesOneAlertPerChange() throws Exception {
        start(Duration.ZERO);
        check(CheckOutcome.FIRST, "A", true, false, 0);
        check(CheckOutcome.CHANGED, "B", true, false, 0);
        check(CheckOutcome.CHANGED, "A", true, false, 0);
        check(CheckOutcome.CHANGED, "B", true, false, 0);
        assertThat(alerts()).hasSize(3).extracting(Alert::alertId).doesNotHaveDuplicates();
    }

    @Test
    void baselineNeverAlertsEvenWhenTheConditionAlreadyHolds() throws Exception {
        start(Duration.ZERO);
        check(CheckOutcome.FIRST, "h0", true, true, 0);
        check(CheckOutcome.CHANGED, "h1", true, true, 0);
        assertThat(alerts()).isEmpty();
    }

    @Test
    void aReplayAfterRestoreRaisesTheSameIdsAndANewCrossingANewOne() throws Exception {
        start(Duration.ZERO);
        check(CheckOutcome.FIRST, "A", true, false, 0);
        check(CheckOutcome.CHANGED, "B", true, false, 0);
        OperatorSubtaskState snapshot = harness.snapshot(1, harness.getProcessingTime());
        int n0 = n;
        long v0 = version;
        check(CheckOutcome.CHANGED, "C", true, false, 0);
        String beforeCrash = alerts().get(alerts().size() - 1).alertId();
        harness.close();

        // restore; the page changed meanwhile (D instead of C): same episode number, same id
        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        n = n0;
        version = v0;
        check(CheckOutcome.CHANGED, "D", true, false, 0);
        assertThat(alerts()).singleElement().extracting(Alert::alertId).isEqualTo(beforeCrash);
        check(CheckOutcome.CHANGED, "C", true, false, 0);
        assertThat(alerts()).extracting(Alert::alertId).doesNotHaveDuplicates().hasSize(2);
    }

    @Test
    void failingAfterThreeConsecutiveErrorsOnceThenRecoveredOnceEvenAcrossAReplan()
            throws Exception {
        start(Duration.ZERO);
        check(CheckOutcome.FIRST, "h0", false, true, 0);
        check(CheckOutcome.ERROR, null, null, true, 1);
        check(CheckOutcome.ERROR, null, null, true, 2);
        assertThat(alerts()).isEmpty();
        check(CheckOutcome.ERROR, null, null, true, 3);
        n += 7; // the job was down; the next check ran late, at a re-planned due time
        check(CheckOutcome.ERROR, null, null, true, 4);
        check(CheckOutcome.UNCHANGED, "h0", null, true, 0);
        check(CheckOutcome.UNCHANGED, "h0", null, true, 0);
        assertThat(alerts())
                .extracting(Alert::kind, Alert::alertId)
                .containsExactly(
                        tuple(
                                AlertKind.MONITOR_FAILING,
                                episode(
                                        AlertKind.MONITOR_FAILING,
                                        AlertDecider.failureEpisode(0, 1))),
                        tuple(
                                AlertKind.MONITOR_RECOVERED,
                                episode(
                                        AlertKind.MONITOR_RECOVERED,
                                        AlertDecider.failureEpisode(0, 1))));
        assertThat(alerts().get(0).reason()).isEqualTo("3 consecutive checks failed: boom");

        // a second streak is a second episode
        check(CheckOutcome.ERROR, null, null, true, 1);
        check(CheckOutcome.ERROR, null, null, true, 2);
        check(CheckOutcome.ERROR, null, null, true, 3);
        assertThat(alerts())
                .last()
                .extracting(Alert::alertId)
                .isEqualTo(episode(AlertKind.MONITOR_FAILING, AlertDecider.failureEpisode(0, 2)));
    }

    @Test
    void aStaleVerdictIsIgnoredAndOnlyTheNewestContentDecides() throws Exception {
        start(Duration.ZERO);
        check(CheckOutcome.FIRST, "h0", null, true, 0);
        Evaluation first = check(CheckOutcome.CHANGED, "h1", null, true, 0);
        Evaluation second = check(CheckOutcome.CHANGED, "h2", null, true, 0);
        verdict(first, true); // late answer about h1: h2 is newer
        assertThat(alerts()).isEmpty();
        verdict(second, false);
        verdict(second, true); // a second answer for the same content decides nothing
        verdict(first, true);
        assertThat(alerts()).isEmpty();
        Evaluation third = check(CheckOutcome.CHANGED, "h3", null, true, 0);
        verdict(third, true);
        assertThat(alerts()).singleElement().extracting(Alert::reason).isEqualTo("llm says true");
    }

    @Test
    void aLateVerdictAfterDeleteCreatesNoState() throws Exception {
        start(Duration.ofMinutes(10));
        check(CheckOutcome.FIRST, "h0", null, true, 0);
        Evaluation change = check(CheckOutcome.CHANGED, "h1", null, true, 0);
        harness.processElement(Evaluation.forget(id, TestSpecs.TENANT, null), 0);
        verdict(change, true);
        assertThat(alerts()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void cooldownDefersAnEpisodeToTheEndOfTheCooldownInsteadOfDroppingIt() throws Exception {
        start(Duration.ofMinutes(15));
        check(CheckOutcome.FIRST, "h0", false, true, 0);
        check(CheckOutcome.CHANGED, "h1", true, true, 0); // t=300 s: alert
        check(CheckOutcome.CHANGED, "h2", false, true, 0); // t=600 s
        check(CheckOutcome.CHANGED, "h3", true, true, 0); // t=900 s: inside the cool-down
        assertThat(alerts()).hasSize(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        harness.setProcessingTime(T0.plusSeconds(300 + 900).toEpochMilli() - 1);
        assertThat(alerts()).hasSize(1);
        harness.setProcessingTime(T0.plusSeconds(300 + 900).toEpochMilli());
        assertThat(alerts())
                .extracting(Alert::alertId, Alert::diff)
                .containsExactly(
                        tuple(
                                episode(
                                        AlertKind.CONDITION_MET,
                                        AlertDecider.conditionEpisode(0, 1)),
                                "+ h1"),
                        tuple(
                                episode(
                                        AlertKind.CONDITION_MET,
                                        AlertDecider.conditionEpisode(0, 2)),
                                "+ h3"));
        assertThat(alerts().get(1).reason()).contains("cool-down");
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aSourceForgottenAndDecidedAgainNeverRepeatsAnAlertId() throws Exception {
        start(Duration.ZERO);
        check(CheckOutcome.FIRST, "A", true, false, 0);
        check(CheckOutcome.CHANGED, "B", true, false, 0);
        // the source is removed and added back (or its condition changes): state starts over
        harness.processElement(Evaluation.forget(id, TestSpecs.TENANT, URL), 0);
        version = 0;
        check(CheckOutcome.FIRST, "A", true, false, 0);
        check(CheckOutcome.CHANGED, "B", true, false, 0);
        assertThat(alerts())
                .extracting(Alert::alertId)
                .containsExactly(
                        episode(AlertKind.CONDITION_MET, AlertDecider.conditionEpisode(0, 1)),
                        episode(AlertKind.CONDITION_MET, AlertDecider.conditionEpisode(1, 1)));
    }

    @Test
    void forgettingTheMonitorLeavesNoStateAndNoTimers() throws Exception {
        start(Duration.ofMinutes(15));
        check(CheckOutcome.FIRST, "h0", false, true, 0);
        check(CheckOutcome.CHANGED, "h1", true, true, 0);
        check(CheckOutcome.CHANGED, "h2", false, true, 0);
        check(CheckOutcome.CHANGED, "h3", true, true, 0); // deferred: a timer is pending
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        harness.processElement(Evaluation.forget(id, TestSpecs.TENANT, null), 0);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }
}
