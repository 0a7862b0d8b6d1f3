package dev.flinkwatch.pipeline.change;

import dev.flinkwatch.model.CheckOutcome;
import java.time.Instant;
import java.util.UUID;

/**
 * A row of {@code monitor_status}: the live state the control API shows.
 *
 * @param monitorId the monitor
 * @param tenantId its owner
 * @param lastCheckAt when the last check finished
 * @param lastOutcome its outcome
 * @param lastError its error ("CODE: message"), null unless it failed
 * @param consecutiveFailures the failure streak of the last checked source
 * @param lastChangeAt when a source of the monitor last changed
 */
public record StatusUpdate(
        UUID monitorId,
        UUID tenantId,
        Instant lastCheckAt,
        CheckOutcome lastOutcome,
        String lastError,
        int consecutiveFailures,
        Instant lastChangeAt) {}
