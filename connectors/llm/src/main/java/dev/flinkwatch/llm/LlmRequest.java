package dev.flinkwatch.llm;

import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.Hashing;
import java.time.Instant;
import java.util.UUID;

/**
 * One question for the LLM: does the changed content of a monitor's source satisfy its
 * natural-language condition? Built by the pipeline from a CHANGED check result of a monitor whose
 * condition type is {@code llm}.
 *
 * @param monitorId the monitor
 * @param tenantId its owner (the token budget is per tenant)
 * @param sourceUrl the checked URL
 * @param condition the condition prompt written by the monitor's owner
 * @param diff the bounded line diff of the change ("+ " added, "- " removed lines), may be null
 * @param currentText the current normalized text of the watched content
 * @param contentHash hash of the normalized text, as in the check result
 * @param contentVersion the source's content version this text is (the change detector counts every
 *     new content); the verdict carries it back so a late verdict for older content is recognised
 *     and ignored
 * @param detectedAt when the check that found the change finished
 */
public record LlmRequest(
        UUID monitorId,
        UUID tenantId,
        String sourceUrl,
        String condition,
        String diff,
        String currentText,
        String contentHash,
        long contentVersion,
        Instant detectedAt) {

    /**
     * The request for a CHANGED check result of a monitor with an llm condition.
     *
     * @param change the check result (its diff, content hash and finish time are used)
     * @param condition the monitor's condition prompt
     * @param currentText the normalized text the content hash was computed from
     * @param contentVersion the source's content version of this text
     */
    public static LlmRequest forChange(
            CheckResult change, String condition, String currentText, long contentVersion) {
        return new LlmRequest(
                change.monitorId(),
                change.tenantId(),
                change.sourceUrl(),
                condition,
                change.diff(),
                currentText,
                change.contentHash(),
                contentVersion,
                change.finishedAt());
    }

    /**
     * The key to partition the stream by before the evaluator ({@code
     * keyBy(LlmRequest::routingKey)}): requests that can share a verdict (same tenant, same
     * condition, same content) meet in one subtask, so its cache and in-flight coalescing work
     * across a tenant's monitors, while one tenant's requests still spread over all subtasks.
     * Verdicts are never shared across tenants ({@link VerdictKey}).
     */
    public String routingKey() {
        return tenantId + ":" + conditionHash() + ":" + contentHash;
    }

    /** A short hex SHA-256 of the condition text. */
    public String conditionHash() {
        return Hashing.sha256Hex128(String.valueOf(condition));
    }
}
