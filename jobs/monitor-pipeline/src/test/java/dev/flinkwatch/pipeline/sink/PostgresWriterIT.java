package dev.flinkwatch.pipeline.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.pipeline.change.StatusUpdate;
import dev.flinkwatch.testing.TestPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL writer against a real (embedded) PostgreSQL with the platform schema: rows that
 * PostgreSQL refuses are dead-lettered without their content while the rest of their batch lands; a
 * lost connection is retried; an outage fails the write.
 */
class PostgresWriterIT {
    private static final UUID TENANT = UUID.randomUUID();
    private static final String SECRET = "PAGE-CONTENT-7d1f";
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private TestPostgres.Database db;
    private final UUID monitor = UUID.randomUUID();
    private final SimpleCounter written = new SimpleCounter();
    private final SimpleCounter writeFailures = new SimpleCounter();
    private final SimpleCounter deadLettered = new SimpleCounter();
    private final SimpleCounter deadLetterFailures = new SimpleCounter();

    @BeforeEach
    void database() throws Exception {
        db = TestPostgres.newMigratedDatabase();
        sql("INSERT INTO tenants (id, name) VALUES ('" + TENANT + "', 't')");
        sql(
                "INSERT INTO monitors (id, tenant_id, version, name, status, interval_seconds,"
                        + " spec) VALUES ('"
                        + monitor
                        + "', '"
                        + TENANT
                        + "', 1, 'm', 'active', 60, '{}')");
    }

    @Test
    void refusedRowsAreDeadLetteredAndTheRestOfTheBatchLands() throws Exception {
        try (PostgresWriter<CheckResult> writer = writer(PostgresSinks.CHECK_RUNS, settings())) {
            for (CheckResult r : mixedBatch()) {
                writer.add(r);
            }
            writer.flush();
        }

        assertThat(count("check_runs")).isEqualTo(4);
        assertThat(written.getCount()).isEqualTo(4);
        assertThat(deadLettered.getCount()).isEqualTo(2);
        assertThat(deadLetterFailures.getCount()).isZero();
        List<List<String>> letters =
                rows(
                        "SELECT sink, monitor_id::text, tenant_id::text, sql_state, reason, summary"
                                + " FROM dead_letters ORDER BY sql_state");
        assertThat(letters).hasSize(2);
        assertThat(letters.get(0).subList(0, 4))
                .containsExactly("check_runs", monitor.toString(), TENANT.toString(), "22021");
        assertThat(letters.get(0).get(4)).contains("invalid byte sequence");
        assertThat(letters.get(0).get(5)).contains("diff.chars=").contains("(has NUL)");
        assertThat(letters.get(1).subList(0, 4))
                .containsExactly("check_runs", monitor.toString(), TENANT.toString(), "23502");
        assertThat(letters.get(1).get(4)).contains("source_url");
        // no row content, whatever the reason
        assertThat(String.valueOf(letters)).doesNotContain(SECRET).doesNotContain("\0");
    }

    @Test
    void aReplayedBatchChangesNothing() throws Exception {
        for (int i = 0; i < 2; i++) {
            try (PostgresWriter<CheckResult> writer =
                    writer(PostgresSinks.CHECK_RUNS, settings())) {
                for (CheckResult r : mixedBatch()) {
                    writer.add(r);
                }
                writer.flush();
            }
        }
        assertThat(count("check_runs")).isEqualTo(4);
        assertThat(count("dead_letters")).isEqualTo(2);
    }

    @Test
    void aCheckConstraintIsReportedWithoutTheFailingRow() throws Exception {
        try (PostgresWriter<StatusUpdate> writer =
                writer(PostgresSinks.MONITOR_STATUS, settings())) {
            writer.add(new StatusUpdate(monitor, TENANT, T0, CheckOutcome.ERROR, SECRET, -1, null));
            writer.flush();
        }
        List<List<String>> letters = rows("SELECT sql_state, reason FROM dead_letters");
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).get(0)).isEqualTo("23514");
        assertThat(letters.get(0).get(1))
                .contains("monitor_status_consecutive_failures_check")
                .doesNotContain("Failing row")
                .doesNotContain(SECRET);
        assertThat(count("monitor_status")).isZero();
    }

    @Test
    void aFullBatchIsWrittenWithoutAFlush() throws Exception {
        PostgresSinks.Settings threeRows =
                new PostgresSinks.Settings(
                        db.jdbcUrl(), db.user(), "", 3, Duration.ofHours(1), 2, Duration.ZERO);
        try (PostgresWriter<CheckResult> writer = writer(PostgresSinks.CHECK_RUNS, threeRows)) {
            for (int i = 0; i < 3; i++) {
                writer.add(changed(i, "+ line " + i));
            }
            assertThat(writer.isEmpty()).isTrue();
            assertThat(count("check_runs")).isEqualTo(3);
        }
    }

    @Test
    void aTerminatedConnectionIsRetriedOnANewOne() throws Exception {
        try (PostgresWriter<CheckResult> writer = writer(PostgresSinks.CHECK_RUNS, settings())) {
            writer.add(changed(0, "+ a"));
            writer.flush();
            assertThat(
                            rows(
                                    "SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity"
                                            + " WHERE application_name = 'flinkwatch-sink-check_runs'"
                                            + " AND datname = current_database()"))
                    .containsExactly(List.of("true"));

            writer.add(changed(1, "+ b"));
            writer.flush();
        }
        assertThat(count("check_runs")).isEqualTo(2);
        assertThat(written.getCount()).isEqualTo(2);
        assertThat(writeFailures.getCount()).isEqualTo(1);
        assertThat(deadLettered.getCount()).isZero();
    }

    @Test
    void anOutageFailsTheWriteAfterItsRetriesAndDeadLettersNothing() {
        PostgresSinks.Settings nowhere =
                new PostgresSinks.Settings(
                        "jdbc:postgresql://127.0.0.1:1/flinkwatch?connectTimeout=2",
                        "u",
                        "",
                        10,
                        Duration.ofHours(1),
                        2,
                        Duration.ofMillis(1));
        PostgresWriter<CheckResult> writer = writer(PostgresSinks.CHECK_RUNS, nowhere);
        assertThatThrownBy(
                        () -> {
                            writer.add(changed(0, "+ a"));
                            writer.flush();
                        })
                .isInstanceOf(IOException.class)
                .hasMessageContaining("check_runs failed after 2 retries")
                .hasMessageContaining("08001");
        assertThat(writeFailures.getCount()).as("the first attempt and 2 retries").isEqualTo(3);
        assertThat(deadLettered.getCount()).isZero();
    }

    @Test
    void aRefusedDeadLetterIsCountedAndTheWriteGoesOn() throws Exception {
        sql("ALTER TABLE dead_letters ADD CONSTRAINT no_letters CHECK (sink <> 'check_runs')");
        try (PostgresWriter<CheckResult> writer = writer(PostgresSinks.CHECK_RUNS, settings())) {
            writer.add(changed(0, "+ \0"));
            writer.add(changed(1, "+ fine"));
            writer.flush();
        }
        assertThat(deadLettered.getCount()).isEqualTo(1);
        assertThat(deadLetterFailures.getCount()).isEqualTo(1);
        assertThat(count("check_runs")).isEqualTo(1);
        assertThat(count("dead_letters")).isZero();
    }

    /** Four good rows around a NUL in a diff and a missing source URL. */
    private List<CheckResult> mixedBatch() {
        List<CheckResult> rows = new ArrayList<>();
        rows.add(changed(0, "+ fine"));
        rows.add(changed(1, "+ " + SECRET + " \0 more"));
        rows.add(changed(2, "+ also fine"));
        rows.add(
                new CheckResult(
                        monitor,
                        TENANT,
                        null,
                        T0,
                        T0,
                        T0,
                        CheckOutcome.ERROR,
                        null,
                        null,
                        "TIMEOUT",
                        SECRET,
                        5,
                        null,
                        null));
        rows.add(changed(4, null));
        rows.add(changed(5, "+ last"));
        return rows;
    }

    private CheckResult changed(int n, String diff) {
        Instant at = T0.plusSeconds(n);
        return new CheckResult(
                monitor,
                TENANT,
                "https://shop.example/p",
                at,
                at,
                at.plusMillis(20),
                CheckOutcome.CHANGED,
                200,
                "hash" + n,
                null,
                null,
                20,
                diff,
                null);
    }

    private PostgresSinks.Settings settings() {
        return new PostgresSinks.Settings(
                db.jdbcUrl(), db.user(), "", 100, Duration.ofHours(1), 3, Duration.ofMillis(10));
    }

    private <T> PostgresWriter<T> writer(PostgresTable<T> table, PostgresSinks.Settings settings) {
        return new PostgresWriter<>(
                table,
                settings,
                new PostgresWriter.Counters(
                        written, writeFailures, deadLettered, deadLetterFailures));
    }

    private int count(String table) throws Exception {
        return Integer.parseInt(rows("SELECT count(*) FROM " + table).get(0).get(0));
    }

    private List<List<String>> rows(String query) throws Exception {
        List<List<String>> out = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(query);
                ResultSet rs = ps.executeQuery()) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getString(i));
                }
                out.add(row);
            }
        }
        return out;
    }

    private void sql(String statement) throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            c.createStatement().execute(statement);
        }
    }
}
