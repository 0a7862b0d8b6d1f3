package dev.flinkwatch.api.history;

import dev.flinkwatch.model.AlertKind;
import java.time.Instant;
import java.util.UUID;

/**
 * An alert as the API returns it.
 *
 * @param id the alert's deterministic id (the pipeline's idempotency key)
 */
public record AlertView(
        String id,
        AlertKind kind,
        UUID monitorId,
        String sourceUrl,
        Instant detectedAt,
        String reason,
        String excerpt,
        String diff,
        Instant createdAt) {}
