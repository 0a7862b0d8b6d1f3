package dev.flinkwatch.pipeline.change;

import dev.flinkwatch.model.CheckOutcome;
import java.time.Instant;

/**
 * The change detector's memory of one source: hashes and a bounded copy of the normalized text,
 * never the raw page.
 *
 * @param rawHash hash of the last fetched body, to skip parsing a byte-identical page
 * @param contentHash hash of the full normalized text of the last successful extraction
 * @param text the normalized text, capped, for diffs
 * @param lastOutcome the last check's outcome
 * @param lastErrorCode the last check's error code, null unless it failed
 * @param lastErrorMessage the last check's error message
 * @param consecutiveFailures the current failure streak
 * @param lastChangeAt when the text last changed (or the baseline was taken)
 */
public record SourceState(
        String rawHash,
        String contentHash,
        String text,
        CheckOutcome lastOutcome,
        String lastErrorCode,
        String lastErrorMessage,
        int consecutiveFailures,
        Instant lastChangeAt) {}
