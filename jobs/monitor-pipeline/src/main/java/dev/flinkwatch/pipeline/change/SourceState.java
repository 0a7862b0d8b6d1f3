package dev.flinkwatch.pipeline.change;

import dev.flinkwatch.model.CheckOutcome;
import java.time.Instant;

/**
 * The change detector's memory of one source up to issue 13 (state {@code sources}): hot fields and
 * the text copy in one value, which every check rewrote. Kept only so savepoints of that layout
 * restore; {@link SourceStore} moves each entry to {@link SourceCheck} and the text state the first
 * time its source is read. The fields are those of {@link SourceCheck} plus {@code text}.
 */
public record SourceState(
        String rawHash,
        String contentHash,
        String text,
        CheckOutcome lastOutcome,
        String lastErrorCode,
        String lastErrorMessage,
        int consecutiveFailures,
        Instant lastChangeAt,
        long contentVersion,
        Instant lastFetchStartedAt) {

    /** The hot part, as the current layout keeps it. */
    SourceCheck check() {
        return new SourceCheck(
                rawHash,
                contentHash,
                lastOutcome,
                lastErrorCode,
                lastErrorMessage,
                consecutiveFailures,
                lastChangeAt,
                contentVersion,
                lastFetchStartedAt);
    }
}
