package dev.flinkwatch.pipeline.fetch;

/**
 * One host's place in the politeness line, as the {@link HostPacer} keeps it in keyed state: when
 * the next request may go, and the sequence numbers of the parked requests (a FIFO of {@code tail -
 * head} entries in a map, so parking and releasing cost one entry each, not a list rewrite).
 *
 * @param nextReleaseAt processing time (ms) from which the next request may be released
 * @param head sequence number of the oldest parked request
 * @param tail sequence number the next parked request gets
 */
public record HostPace(long nextReleaseAt, long head, long tail) {
    /** What to do with a request that just arrived. */
    public enum Arrival {
        /** The host is due and nobody waits: send it now. */
        SEND,
        /** Park it until its turn. */
        PARK,
        /** The line is full: record it as skipped. */
        REJECT
    }

    /** A host seen for the first time (or idle long enough to have been forgotten). */
    public static HostPace idle() {
        return new HostPace(Long.MIN_VALUE, 0, 0);
    }

    public int queued() {
        return (int) (tail - head);
    }

    public Arrival arrival(long now, int maxQueued) {
        if (queued() == 0 && now >= nextReleaseAt) {
            return Arrival.SEND;
        }
        return queued() >= maxQueued ? Arrival.REJECT : Arrival.PARK;
    }

    /** After sending one at {@code now}: the next may go {@code spacingMs} later. */
    public HostPace sent(long now, long spacingMs) {
        return new HostPace(now + spacingMs, head, tail);
    }

    /** After parking one at sequence number {@link #tail}. */
    public HostPace parked() {
        return new HostPace(nextReleaseAt, head, tail + 1);
    }

    /** After releasing the parked request at {@link #head} at {@code now}. */
    public HostPace released(long now, long spacingMs) {
        return new HostPace(now + spacingMs, head + 1, tail);
    }

    /** After dropping every parked request at {@code now} (the host is held). */
    public HostPace droppedAll(long now, long spacingMs) {
        return new HostPace(now + spacingMs, tail, tail);
    }

    /** When a parked request may go: its turn, never in the past. */
    public long releaseTime(long now) {
        return Math.max(now, nextReleaseAt);
    }
}
