package dev.flinkwatch.api.history;

import dev.flinkwatch.model.AlertKind;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An alert as the API returns it.
 *
 * @param id the alert's deterministic id (the pipeline's idempotency key)
 * @param monitorName the monitor's current name
 * @param checkId the stored check run that raised it ({@link CheckView#id()}), null when none is
 *     stored (a recovery is an unchanged check, which is not stored)
 * @param deliveries its delivery status per channel (empty when it has none)
 */
public record AlertView(
        String id,
        AlertKind kind,
        UUID monitorId,
        String monitorName,
        String sourceUrl,
        Instant detectedAt,
        String reason,
        String excerpt,
        String diff,
        Long checkId,
        Instant createdAt,
        List<DeliveryStatus> deliveries) {

    /**
     * One channel's delivery of the alert, from the delivery component's {@code deliveries} table.
     *
     * @param status pending (queued or retrying), delivered or failed
     */
    public record DeliveryStatus(
            String channel,
            String status,
            int attempts,
            Integer lastHttpStatus,
            String lastError,
            Instant deliveredAt) {}
}
