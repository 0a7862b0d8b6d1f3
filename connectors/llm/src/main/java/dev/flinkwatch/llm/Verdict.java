package dev.flinkwatch.llm;

import java.time.Instant;
import java.util.UUID;

/**
 * The evaluator's answer to one {@link LlmRequest}; exactly one per request, failures included.
 *
 * @param monitorId the request's monitor
 * @param tenantId the request's tenant
 * @param sourceUrl the request's source
 * @param contentHash the request's content hash (what was judged)
 * @param contentVersion the request's content version
 * @param detectedAt the request's check time
 * @param status the decision
 * @param reason the model's explanation (at most {@value VerdictAnswer#MAX_TEXT} chars), null
 *     unless TRIGGERED / NOT_TRIGGERED
 * @param value the value the model read from the page (e.g. a price), nullable
 * @param model the model that judged (as reported by the endpoint), null when none was called
 * @param tokensIn prompt tokens this request cost (0 when served from cache or a shared call)
 * @param tokensOut completion tokens this request cost
 * @param cached true when the judgement was reused: from the verdict cache or a shared in-flight
 *     call for the same condition and content
 * @param error why there is no judgement (ERROR / SKIPPED_BUDGET), else null
 */
public record Verdict(
        UUID monitorId,
        UUID tenantId,
        String sourceUrl,
        String contentHash,
        long contentVersion,
        Instant detectedAt,
        VerdictStatus status,
        String reason,
        String value,
        String model,
        long tokensIn,
        long tokensOut,
        boolean cached,
        String error) {

    static Verdict of(LlmRequest request, Judgement judgement, boolean cached) {
        return new Verdict(
                request.monitorId(),
                request.tenantId(),
                request.sourceUrl(),
                request.contentHash(),
                request.contentVersion(),
                request.detectedAt(),
                judgement.status(),
                judgement.reason(),
                judgement.value(),
                judgement.model(),
                cached ? 0 : judgement.tokensIn(),
                cached ? 0 : judgement.tokensOut(),
                cached,
                judgement.error());
    }

    static Verdict error(LlmRequest request, String error) {
        return withoutCall(request, VerdictStatus.ERROR, error);
    }

    static Verdict withoutCall(LlmRequest request, VerdictStatus status, String error) {
        return new Verdict(
                request.monitorId(),
                request.tenantId(),
                request.sourceUrl(),
                request.contentHash(),
                request.contentVersion(),
                request.detectedAt(),
                status,
                null,
                null,
                null,
                0,
                0,
                false,
                error);
    }
}
