package dev.flinkwatch.pipeline.sink;

import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.pipeline.change.StatusUpdate;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;

/**
 * The pipeline's PostgreSQL writes (flink-connector-jdbc, batched, at-least-once). Every statement
 * is idempotent, so replays after a restore change nothing: alerts and check runs are {@code INSERT
 * ... ON CONFLICT DO NOTHING} on their natural keys, statuses are upserts. Rows are only written
 * while their monitor row exists ({@code WHERE EXISTS}): a result that races a deleted monitor is
 * dropped instead of failing the job on a foreign key.
 */
public final class PostgresSinks {
    private PostgresSinks() {}

    /**
     * Connection and batching settings.
     *
     * @param jdbcUrl JDBC URL
     * @param user user
     * @param password password (may be empty)
     * @param batchSize rows per batch
     * @param batchInterval longest time a row waits for its batch
     */
    public record Settings(
            String jdbcUrl, String user, String password, int batchSize, Duration batchInterval) {
        JdbcConnectionOptions connection() {
            return new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                    .withUrl(jdbcUrl)
                    .withDriverName("org.postgresql.Driver")
                    .withUsername(user)
                    .withPassword(password)
                    .build();
        }

        JdbcExecutionOptions execution() {
            return JdbcExecutionOptions.builder()
                    .withBatchSize(batchSize)
                    .withBatchIntervalMs(batchInterval.toMillis())
                    .withMaxRetries(5)
                    .build();
        }
    }

    private static final String MONITOR_EXISTS =
            " WHERE EXISTS (SELECT 1 FROM monitors m WHERE m.id = ? AND m.tenant_id = ?)";

    static final String INSERT_ALERT =
            "INSERT INTO alerts (alert_key, kind, monitor_id, tenant_id, source_url, detected_at,"
                    + " reason, excerpt, diff)"
                    + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?"
                    + MONITOR_EXISTS
                    + " ON CONFLICT (alert_key) DO NOTHING";

    static final String INSERT_CHECK_RUN =
            "INSERT INTO check_runs (monitor_id, tenant_id, source_url, scheduled_at, started_at,"
                    + " finished_at, outcome, http_status, content_hash, error_code, error_message,"
                    + " latency_ms, diff)"
                    + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
                    + MONITOR_EXISTS
                    + " ON CONFLICT (monitor_id, source_url, scheduled_at) DO NOTHING";

    static final String UPSERT_STATUS =
            "INSERT INTO monitor_status (monitor_id, tenant_id, last_check_at, last_outcome,"
                    + " last_error, consecutive_failures, last_change_at, updated_at)"
                    + " SELECT ?, ?, ?, ?, ?, ?, ?, now()"
                    + MONITOR_EXISTS
                    + " ON CONFLICT (monitor_id) DO UPDATE SET"
                    + " last_check_at = EXCLUDED.last_check_at,"
                    + " last_outcome = EXCLUDED.last_outcome,"
                    + " last_error = EXCLUDED.last_error,"
                    + " consecutive_failures = EXCLUDED.consecutive_failures,"
                    + " last_change_at = COALESCE(EXCLUDED.last_change_at,"
                    + " monitor_status.last_change_at),"
                    + " updated_at = now()"
                    + " WHERE monitor_status.last_check_at <= EXCLUDED.last_check_at";

    public static JdbcSink<Alert> alerts(Settings settings) {
        return JdbcSink.<Alert>builder()
                .withQueryStatement(
                        INSERT_ALERT,
                        (PreparedStatement ps, Alert a) -> {
                            ps.setString(1, a.alertId());
                            ps.setString(2, a.kind().name());
                            ps.setObject(3, a.monitorId());
                            ps.setObject(4, a.tenantId());
                            ps.setString(5, a.sourceUrl());
                            ps.setObject(6, ts(a.detectedAt()));
                            ps.setString(7, a.reason());
                            ps.setString(8, a.excerpt());
                            ps.setString(9, a.diff());
                            ps.setObject(10, a.monitorId());
                            ps.setObject(11, a.tenantId());
                        })
                .withExecutionOptions(settings.execution())
                .buildAtLeastOnce(settings.connection());
    }

    /** check_runs rows; the caller passes only CHANGED and ERROR results. */
    public static JdbcSink<CheckResult> checkRuns(Settings settings) {
        return JdbcSink.<CheckResult>builder()
                .withQueryStatement(
                        INSERT_CHECK_RUN,
                        (PreparedStatement ps, CheckResult r) -> {
                            ps.setObject(1, r.monitorId());
                            ps.setObject(2, r.tenantId());
                            ps.setString(3, r.sourceUrl());
                            ps.setObject(4, ts(r.scheduledAt()));
                            ps.setObject(5, ts(r.startedAt()));
                            ps.setObject(6, ts(r.finishedAt()));
                            ps.setString(7, r.outcome().name());
                            setInt(ps, 8, r.httpStatus());
                            ps.setString(9, r.contentHash());
                            ps.setString(10, r.errorCode());
                            ps.setString(11, r.errorMessage());
                            ps.setLong(12, Math.max(0, r.latencyMs()));
                            ps.setString(13, r.diff());
                            ps.setObject(14, r.monitorId());
                            ps.setObject(15, r.tenantId());
                        })
                .withExecutionOptions(settings.execution())
                .buildAtLeastOnce(settings.connection());
    }

    public static JdbcSink<StatusUpdate> status(Settings settings) {
        return JdbcSink.<StatusUpdate>builder()
                .withQueryStatement(
                        UPSERT_STATUS,
                        (PreparedStatement ps, StatusUpdate s) -> {
                            ps.setObject(1, s.monitorId());
                            ps.setObject(2, s.tenantId());
                            ps.setObject(3, ts(s.lastCheckAt()));
                            ps.setString(4, s.lastOutcome().name());
                            ps.setString(5, s.lastError());
                            ps.setInt(6, s.consecutiveFailures());
                            ps.setObject(7, ts(s.lastChangeAt()));
                            ps.setObject(8, s.monitorId());
                            ps.setObject(9, s.tenantId());
                        })
                .withExecutionOptions(settings.execution())
                .buildAtLeastOnce(settings.connection());
    }

    private static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static void setInt(PreparedStatement ps, int index, Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, value);
        }
    }
}
