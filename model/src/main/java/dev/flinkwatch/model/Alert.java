package dev.flinkwatch.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;

/**
 * An alert raised for a monitor: one episode. Its id is deterministic, so replays after a failure
 * produce the same id and sinks can drop duplicates ({@code ON CONFLICT DO NOTHING}).
 *
 * @param alertId deterministic id, see {@link #idFor}
 * @param kind why it was raised
 * @param monitorId the monitor
 * @param tenantId its owner
 * @param sourceUrl the source that triggered it
 * @param detectedAt when the triggering check finished
 * @param reason human-readable explanation
 * @param excerpt a bounded excerpt of the current text
 * @param diff a bounded line diff of the change, when there is one
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Alert(
        String alertId,
        AlertKind kind,
        UUID monitorId,
        UUID tenantId,
        String sourceUrl,
        Instant detectedAt,
        String reason,
        String excerpt,
        String diff) {

    /** This alert with another excerpt and diff (e.g. left out when the record is too large). */
    public Alert withContent(String newExcerpt, String newDiff) {
        return new Alert(
                alertId,
                kind,
                monitorId,
                tenantId,
                sourceUrl,
                detectedAt,
                reason,
                newExcerpt,
                newDiff);
    }

    /**
     * The deterministic alert id: {@link Hashing#sha256Hex128(String...)} over kind, monitor,
     * source and the episode: the pipeline counts episodes per source in checkpointed state
     * ("episode-G.N" for CONDITION_MET, "failure-G.N" for a failing streak and its recovery; G is
     * the monitor's generation, which grows when a source is removed or its condition changes), so
     * a replay after a restore raises the same id and every new crossing a new one, even on content
     * seen before. (Release 0.1 used the content hash; those keys stay valid in PostgreSQL.)
     */
    public static String idFor(
            AlertKind kind, UUID monitorId, String sourceUrl, String discriminator) {
        return Hashing.sha256Hex128(kind.name(), monitorId.toString(), sourceUrl, discriminator);
    }
}
