package dev.flinkwatch.pipeline.alert;

import dev.flinkwatch.model.CheckOutcome;
import java.time.Instant;
import java.util.UUID;

/**
 * What the alert decider needs to know about one check of one source: its outcome, the failure
 * streak, and (when decided) whether the monitor's condition holds. The change detector sends one
 * for every check that can change the decider's state (baselines, changes, errors, recoveries); LLM
 * verdicts arrive as evaluations too.
 *
 * @param monitorId the monitor
 * @param tenantId its owner
 * @param sourceUrl the source
 * @param outcome the check's outcome
 * @param contentHash the hash of the current text (null on error)
 * @param conditionMet whether the condition holds for the current text; null when not decided
 *     (errors; LLM conditions before their verdict)
 * @param edgeTriggered false for any_change (alerts on every change), true otherwise (alerts only
 *     when the condition becomes true)
 * @param reason why the condition holds or not, or the error message
 * @param excerpt bounded excerpt of the current text
 * @param diff bounded diff of the change
 * @param consecutiveFailures the source's failure streak including this check
 * @param scheduledAt when the check was due: deterministic on replay, so it identifies
 *     failing/recovered episodes
 * @param detectedAt when the check finished
 * @param forget true when the decider should drop its state for the source (or, with a null source,
 *     for the whole monitor) because it was removed or deleted
 */
public record Evaluation(
        UUID monitorId,
        UUID tenantId,
        String sourceUrl,
        CheckOutcome outcome,
        String contentHash,
        Boolean conditionMet,
        boolean edgeTriggered,
        String reason,
        String excerpt,
        String diff,
        int consecutiveFailures,
        Instant scheduledAt,
        Instant detectedAt,
        boolean forget) {

    /**
     * Tells the decider to drop its state of one source, or of the monitor if sourceUrl is null.
     */
    public static Evaluation forget(UUID monitorId, UUID tenantId, String sourceUrl) {
        return new Evaluation(
                monitorId, tenantId, sourceUrl, null, null, null, false, null, null, null, 0, null,
                null, true);
    }
}
