package dev.flinkwatch.pipeline.change;

import dev.flinkwatch.model.CheckOutcome;
import java.time.Instant;

/**
 * The change detector's memory of one source: hashes and a bounded copy of the normalized text,
 * never the raw page. Build it with the named factories.
 *
 * @param rawHash hash of the last fetched body, to skip parsing a byte-identical page
 * @param contentHash hash of the full normalized text of the last successful extraction (null: no
 *     baseline)
 * @param text the normalized text, capped, for diffs
 * @param lastOutcome the last check's outcome
 * @param lastErrorCode the last check's error code, null unless it failed
 * @param lastErrorMessage the last check's error message
 * @param consecutiveFailures the current failure streak
 * @param lastChangeAt when the text last changed (or the baseline was taken)
 * @param contentVersion counts every new content of the source (baseline or change); never goes
 *     back, also not when the baseline is dropped, so answers about older content are recognised
 * @param lastFetchStartedAt when the fetch of the newest result applied started: content is as old
 *     as its fetch, not as its schedule (a late retry of an old check reads today's page), so a
 *     result whose fetch started no later is older content and is ignored
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

    /** After a failed check: the baseline stays, the streak grows. */
    static SourceState afterError(
            SourceState prev,
            String rawHash,
            String errorCode,
            String errorMessage,
            int failures,
            Instant fetchStartedAt) {
        return new SourceState(
                rawHash != null ? rawHash : prev == null ? null : prev.rawHash,
                prev == null ? null : prev.contentHash,
                prev == null ? null : prev.text,
                CheckOutcome.ERROR,
                errorCode,
                errorMessage,
                failures,
                prev == null ? null : prev.lastChangeAt,
                prev == null ? 0 : prev.contentVersion,
                fetchStartedAt);
    }

    /** After a successful check; a new content (FIRST / CHANGED) gets the next version. */
    static SourceState afterSuccess(
            SourceState prev,
            CheckOutcome outcome,
            String rawHash,
            String contentHash,
            String text,
            Instant finishedAt,
            Instant fetchStartedAt) {
        boolean news = outcome == CheckOutcome.FIRST || outcome == CheckOutcome.CHANGED;
        long version = prev == null ? 0 : prev.contentVersion;
        return new SourceState(
                rawHash,
                contentHash,
                text,
                outcome,
                null,
                null,
                0,
                news ? finishedAt : prev == null ? null : prev.lastChangeAt,
                news ? version + 1 : version,
                fetchStartedAt);
    }

    /**
     * Drops the baseline (its texts were extracted differently) but keeps the version counter and
     * the order of checks.
     */
    SourceState withoutBaseline() {
        return new SourceState(
                null,
                null,
                null,
                lastOutcome,
                lastErrorCode,
                lastErrorMessage,
                consecutiveFailures,
                lastChangeAt,
                contentVersion,
                lastFetchStartedAt);
    }

    /** Whether a fetch that started at {@code fetchStartedAt} read content no newer than ours. */
    boolean isNewerThan(Instant fetchStartedAt) {
        return lastFetchStartedAt != null && !fetchStartedAt.isAfter(lastFetchStartedAt);
    }
}
