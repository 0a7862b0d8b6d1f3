package dev.flinkwatch.pipeline.sink;

import static dev.flinkwatch.pipeline.sink.Column.Type.BIGINT;
import static dev.flinkwatch.pipeline.sink.Column.Type.BYTEA;
import static dev.flinkwatch.pipeline.sink.Column.Type.CODE;
import static dev.flinkwatch.pipeline.sink.Column.Type.INTEGER;
import static dev.flinkwatch.pipeline.sink.Column.Type.TEXT;
import static dev.flinkwatch.pipeline.sink.Column.Type.TIMESTAMPTZ;
import static dev.flinkwatch.pipeline.sink.Column.Type.UUID;

import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.pipeline.change.StatusUpdate;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * The pipeline's PostgreSQL writes ({@link PostgresSink}: batched, at-least-once, refused rows
 * dead-lettered). Every statement is idempotent, so replays after a restore change nothing: alerts
 * and check runs are {@code INSERT ... ON CONFLICT DO NOTHING} on their natural keys, statuses are
 * upserts that never go back in time.
 */
public final class PostgresSinks {
    private PostgresSinks() {}

    /**
     * Connection, batching and retry settings.
     *
     * @param jdbcUrl JDBC URL
     * @param user user
     * @param password password (may be empty)
     * @param batchSize rows per batch
     * @param batchInterval longest time a row waits for its batch
     * @param maxRetries retries of a statement while PostgreSQL is unavailable, then the job fails
     * @param retryBackoff wait before the first retry, doubled for each further one (at most 30 s)
     */
    public record Settings(
            String jdbcUrl,
            String user,
            String password,
            int batchSize,
            Duration batchInterval,
            int maxRetries,
            Duration retryBackoff)
            implements Serializable {
        public Settings {
            if (batchSize < 1 || maxRetries < 0 || retryBackoff.isNegative()) {
                throw new IllegalArgumentException(
                        "flinkwatch.jdbc.batch-size must be >= 1, jdbc.max-retries >= 0 and"
                                + " jdbc.retry-backoff >= 0");
            }
        }
    }

    static final PostgresTable<Alert> ALERTS =
            new PostgresTable<>(
                    "alerts",
                    List.of(
                            Column.of("alert_key", CODE, Alert::alertId),
                            Column.of("kind", CODE, Alert::kind),
                            Column.of("monitor_id", UUID, Alert::monitorId),
                            Column.of("tenant_id", UUID, Alert::tenantId),
                            Column.of("source_url", TEXT, Alert::sourceUrl),
                            Column.of("detected_at", TIMESTAMPTZ, Alert::detectedAt),
                            Column.of("reason", TEXT, Alert::reason),
                            Column.of("excerpt", TEXT, Alert::excerpt),
                            Column.of("diff", TEXT, Alert::diff)),
                    List.of("alert_key"),
                    "ON CONFLICT (alert_key) DO NOTHING");

    /** check_runs rows; the caller passes only CHANGED and ERROR results. */
    static final PostgresTable<CheckResult> CHECK_RUNS =
            new PostgresTable<>(
                    "check_runs",
                    List.of(
                            Column.of("monitor_id", UUID, CheckResult::monitorId),
                            Column.of("tenant_id", UUID, CheckResult::tenantId),
                            Column.of("source_url", TEXT, CheckResult::sourceUrl),
                            Column.of("scheduled_at", TIMESTAMPTZ, CheckResult::scheduledAt),
                            Column.of("started_at", TIMESTAMPTZ, CheckResult::startedAt),
                            Column.of("finished_at", TIMESTAMPTZ, CheckResult::finishedAt),
                            Column.of("outcome", CODE, CheckResult::outcome),
                            Column.of("http_status", INTEGER, CheckResult::httpStatus),
                            Column.of("content_hash", CODE, CheckResult::contentHash),
                            Column.of("error_code", CODE, CheckResult::errorCode),
                            Column.of("error_message", TEXT, CheckResult::errorMessage),
                            Column.of("latency_ms", BIGINT, r -> Math.max(0, r.latencyMs())),
                            Column.of("diff", TEXT, CheckResult::diff),
                            Column.of("screenshot", BYTEA, CheckResult::screenshot)),
                    List.of("monitor_id", "source_url", "scheduled_at"),
                    "ON CONFLICT (monitor_id, source_url, scheduled_at) DO NOTHING");

    static final PostgresTable<StatusUpdate> MONITOR_STATUS =
            new PostgresTable<>(
                    "monitor_status",
                    List.of(
                            Column.of("monitor_id", UUID, StatusUpdate::monitorId),
                            Column.of("tenant_id", UUID, StatusUpdate::tenantId),
                            Column.of("last_check_at", TIMESTAMPTZ, StatusUpdate::lastCheckAt),
                            Column.of("last_outcome", CODE, StatusUpdate::lastOutcome),
                            Column.of("last_error", TEXT, StatusUpdate::lastError),
                            Column.of(
                                    "consecutive_failures",
                                    INTEGER,
                                    StatusUpdate::consecutiveFailures),
                            Column.of("last_change_at", TIMESTAMPTZ, StatusUpdate::lastChangeAt)),
                    List.of("monitor_id", "last_check_at"),
                    "ON CONFLICT (monitor_id) DO UPDATE SET"
                            + " last_check_at = EXCLUDED.last_check_at,"
                            + " last_outcome = EXCLUDED.last_outcome,"
                            + " last_error = EXCLUDED.last_error,"
                            + " consecutive_failures = EXCLUDED.consecutive_failures,"
                            + " last_change_at = COALESCE(EXCLUDED.last_change_at,"
                            + " monitor_status.last_change_at),"
                            + " updated_at = now()"
                            + " WHERE monitor_status.last_check_at <= EXCLUDED.last_check_at");

    public static PostgresSink<Alert> alerts(Settings settings) {
        return new PostgresSink<>(ALERTS, settings);
    }

    /** check_runs rows; the caller passes only CHANGED and ERROR results. */
    public static PostgresSink<CheckResult> checkRuns(Settings settings) {
        return new PostgresSink<>(CHECK_RUNS, settings);
    }

    public static PostgresSink<StatusUpdate> status(Settings settings) {
        return new PostgresSink<>(MONITOR_STATUS, settings);
    }
}
