package dev.flinkwatch.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;

/**
 * The outcome of one check of one source. Every check produces one, failures included.
 *
 * @param monitorId the monitor
 * @param tenantId its owner
 * @param sourceUrl the checked URL
 * @param scheduledAt when the check was due
 * @param startedAt when the fetch started
 * @param finishedAt when the result was known
 * @param outcome first / unchanged / changed / error
 * @param httpStatus final HTTP status, null when no response was received
 * @param contentHash hash of the normalized text (null on error)
 * @param errorCode machine-readable reason for ERROR (e.g. TIMEOUT, BLOCKED_ADDRESS)
 * @param errorMessage human-readable reason for ERROR
 * @param latencyMs fetch latency
 * @param diff for CHANGED: a bounded line diff (removed lines prefixed "- ", added "+ ")
 * @param screenshot for CHANGED checks of sources that keep screenshots: the rendered page as a
 *     JPEG, stored with the check in PostgreSQL; never part of the JSON (topics carry no images)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckResult(
        UUID monitorId,
        UUID tenantId,
        String sourceUrl,
        Instant scheduledAt,
        Instant startedAt,
        Instant finishedAt,
        CheckOutcome outcome,
        Integer httpStatus,
        String contentHash,
        String errorCode,
        String errorMessage,
        long latencyMs,
        String diff,
        @JsonIgnore byte[] screenshot) {

    /** This result with another diff (e.g. a marker when the diff had to be left out). */
    public CheckResult withDiff(String newDiff) {
        return new CheckResult(
                monitorId,
                tenantId,
                sourceUrl,
                scheduledAt,
                startedAt,
                finishedAt,
                outcome,
                httpStatus,
                contentHash,
                errorCode,
                errorMessage,
                latencyMs,
                newDiff,
                screenshot);
    }
}
