package dev.flinkwatch.pipeline.alert;

import dev.flinkwatch.llm.Verdict;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.CheckResult;
import java.time.Instant;
import java.util.UUID;

/**
 * What the alert decider needs to know about one check of one source: its outcome, the failure
 * streak, and (when decided) whether the monitor's condition holds. The change detector sends one
 * for every check that can change the decider's state (baselines, changes, errors, recoveries); LLM
 * verdicts arrive as evaluations too. Build them with the named factories.
 *
 * @param kind a check, an LLM verdict, or an instruction to forget
 * @param monitorId the monitor
 * @param tenantId its owner
 * @param sourceUrl the source
 * @param outcome the check's outcome
 * @param contentHash the hash of the current text (null on error)
 * @param contentVersion the source's content version (the change detector counts every new
 *     content): what this evaluation answers, so the decider can ignore older answers
 * @param conditionMet whether the condition holds for the current text; null when not decided
 *     (errors; LLM conditions before their verdict)
 * @param edgeTriggered false for any_change (alerts on every change), true otherwise (alerts only
 *     when the condition becomes true)
 * @param reason why the condition holds or not, or the error message
 * @param excerpt bounded excerpt of the current text
 * @param diff bounded diff of the change
 * @param consecutiveFailures the source's failure streak including this check
 * @param scheduledAt when the check was due
 * @param detectedAt when the check finished
 */
public record Evaluation(
        Kind kind,
        UUID monitorId,
        UUID tenantId,
        String sourceUrl,
        CheckOutcome outcome,
        String contentHash,
        long contentVersion,
        Boolean conditionMet,
        boolean edgeTriggered,
        String reason,
        String excerpt,
        String diff,
        int consecutiveFailures,
        Instant scheduledAt,
        Instant detectedAt) {

    /** Where an evaluation comes from. */
    public enum Kind {
        /** A check, from the change detector, in check order. */
        CHECK,
        /** An LLM verdict on a change; may arrive late and out of order. */
        VERDICT,
        /** Drop the state of one source (or of the monitor, with a null source). */
        FORGET
    }

    /**
     * The evaluation of one check.
     *
     * @param result the check result (outcome, hash, diff, times)
     * @param contentVersion the source's content version after this check
     * @param met whether the condition holds, null if not decided here
     * @param edgeTriggered see the record's doc
     * @param reason why, or the error message
     * @param excerpt bounded excerpt of the current text
     * @param failures the failure streak including this check
     */
    public static Evaluation ofCheck(
            CheckResult result,
            long contentVersion,
            Boolean met,
            boolean edgeTriggered,
            String reason,
            String excerpt,
            int failures) {
        return new Evaluation(
                Kind.CHECK,
                result.monitorId(),
                result.tenantId(),
                result.sourceUrl(),
                result.outcome(),
                result.contentHash(),
                contentVersion,
                met,
                edgeTriggered,
                reason,
                excerpt,
                result.diff(),
                failures,
                result.scheduledAt(),
                result.finishedAt());
    }

    /**
     * An LLM verdict on a change: it decides the condition for the content version it judged.
     *
     * @param v the verdict
     * @param met true / false, or null when the verdict decided nothing (error, budget)
     * @param reason the model's reason or the error
     */
    public static Evaluation ofVerdict(Verdict v, Boolean met, String reason) {
        return new Evaluation(
                Kind.VERDICT,
                v.monitorId(),
                v.tenantId(),
                v.sourceUrl(),
                CheckOutcome.CHANGED,
                v.contentHash(),
                v.contentVersion(),
                met,
                true,
                reason,
                v.value(),
                null,
                0,
                v.detectedAt(),
                v.detectedAt());
    }

    /**
     * Tells the decider to drop its state of one source, or of the monitor if sourceUrl is null.
     */
    public static Evaluation forget(UUID monitorId, UUID tenantId, String sourceUrl) {
        return new Evaluation(
                Kind.FORGET,
                monitorId,
                tenantId,
                sourceUrl,
                null,
                null,
                0,
                null,
                false,
                null,
                null,
                null,
                0,
                null,
                null);
    }
}
