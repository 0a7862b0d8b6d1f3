package dev.flinkwatch.api.history;

import dev.flinkwatch.model.CheckOutcome;
import java.time.Instant;

/**
 * A stored check run (the pipeline stores changes and errors only).
 *
 * @param id the run's id: alerts name the run that raised them by it ({@link AlertView#checkId()})
 * @param screenshot where its screenshot is ({@code /v1/checks/{id}/screenshot}), null without one
 */
public record CheckView(
        long id,
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
        String screenshot) {

    /** The path of a check's screenshot. */
    public static String screenshotPath(long checkId) {
        return "/v1/checks/" + checkId + "/screenshot";
    }
}
