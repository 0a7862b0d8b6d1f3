package dev.flinkwatch.pipeline.change;

import dev.flinkwatch.model.CheckOutcome;
import java.time.Instant;

/**
 * The change detector's hot memory of one source: hashes, the last check's outcome and order,
 * counters, a few hundred bytes read and written by every check. The text copy for diffs (up to
 * {@code max-text-chars}) lives apart, written only when the content changes: an UNCHANGED check
 * rewrites this, never the text (on RocksDB a rewrite of the whole value per check is write
 * amplification and large incremental checkpoints). Build it with the named factories.
 *
 * @param rawHash hash of the last fetched body, to skip comparing a byte-identical page
 * @param contentHash hash of the full normalized text of the last successful extraction (null: no
 *     baseline, and no text is kept)
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
public record SourceCheck(
        String rawHash,
        String contentHash,
        CheckOutcome lastOutcome,
        String lastErrorCode,
        String lastErrorMessage,
        int consecutiveFailures,
        Instant lastChangeAt,
        long contentVersion,
        Instant lastFetchStartedAt) {

    /** After a failed check: the baseline stays, the streak grows. */
    static SourceCheck afterError(
            SourceCheck prev,
            String rawHash,
            String errorCode,
            String errorMessage,
            int failures,
            Instant fetchStartedAt) {
        return new SourceCheck(
                rawHash != null ? rawHash : prev == null ? null : prev.rawHash,
                prev == null ? null : prev.contentHash,
                CheckOutcome.ERROR,
                errorCode,
                errorMessage,
                failures,
                prev == null ? null : prev.lastChangeAt,
                prev == null ? 0 : prev.contentVersion,
                fetchStartedAt);
    }

    /** After a successful check; a new content (FIRST / CHANGED) gets the next version. */
    static SourceCheck afterSuccess(
            SourceCheck prev,
            CheckOutcome outcome,
            String rawHash,
            String contentHash,
            Instant finishedAt,
            Instant fetchStartedAt) {
        boolean news = isNews(outcome);
        long version = prev == null ? 0 : prev.contentVersion;
        return new SourceCheck(
                rawHash,
                contentHash,
                outcome,
                null,
                null,
                0,
                news ? finishedAt : prev == null ? null : prev.lastChangeAt,
                news ? version + 1 : version,
                fetchStartedAt);
    }

    /** Whether a check of this outcome brought new content (and so a new text copy). */
    static boolean isNews(CheckOutcome outcome) {
        return outcome == CheckOutcome.FIRST || outcome == CheckOutcome.CHANGED;
    }

    /**
     * Drops the baseline (its texts were extracted differently) but keeps the version counter and
     * the order of checks.
     */
    SourceCheck withoutBaseline() {
        return new SourceCheck(
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
