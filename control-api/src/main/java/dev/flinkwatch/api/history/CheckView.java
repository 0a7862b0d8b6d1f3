package dev.flinkwatch.api.history;

import dev.flinkwatch.model.CheckOutcome;
import java.time.Instant;

/** A stored check run (the pipeline stores changes and errors only). */
public record CheckView(
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
        String diff) {}
