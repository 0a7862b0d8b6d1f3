package dev.flinkwatch.pipeline.sink;

import dev.flinkwatch.pipeline.MonitorLog;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.metrics.Counter;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes rows of one table in batches, one transaction per batch, on the plain PostgreSQL driver.
 * When PostgreSQL refuses a batch because of a row ({@link SqlFailure#ROW_REFUSED}), the batch is
 * bisected until the refused rows stand alone; they go to {@code dead_letters} and everything else
 * is written. Any other failure ({@link SqlFailure#UNAVAILABLE}) is retried on a new connection
 * with exponential backoff, then thrown: the task fails and restarts from its checkpoint, as an
 * outage must. Statements are idempotent, so rows written before a failure may be written again.
 *
 * <p>Not thread-safe: the Flink writer calls it from its task thread only.
 */
final class PostgresWriter<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresWriter.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Driver DRIVER = new Driver();

    private final PostgresTable<T> table;
    private final PostgresSinks.Settings settings;
    private final Counters counters;
    private final String sql;
    private final List<T> buffer = new ArrayList<>();
    private Connection connection;
    private PreparedStatement rowStatement;
    private PreparedStatement deadLetterStatement;

    PostgresWriter(PostgresTable<T> table, PostgresSinks.Settings settings, Counters counters) {
        this.table = table;
        this.settings = settings;
        this.counters = counters;
        this.sql = table.sql();
    }

    /**
     * What the writer counts.
     *
     * @param rowsWritten rows PostgreSQL accepted
     * @param writeFailures attempts that failed for unavailability (retried, or the task fails)
     * @param deadLettered rows PostgreSQL refused, written to {@code dead_letters}
     * @param deadLetterFailures refused rows whose dead letter was refused too (lost)
     */
    record Counters(
            Counter rowsWritten,
            Counter writeFailures,
            Counter deadLettered,
            Counter deadLetterFailures) {}

    /** Buffers a row; writes the batch when it is full. */
    void add(T row) throws IOException {
        buffer.add(row);
        if (buffer.size() >= settings.batchSize()) {
            flush();
        }
    }

    boolean isEmpty() {
        return buffer.isEmpty();
    }

    /**
     * Writes every buffered row (or dead-letters it); throws only when PostgreSQL is unavailable.
     */
    void flush() throws IOException {
        if (buffer.isEmpty()) {
            return;
        }
        List<T> rows = List.copyOf(buffer);
        buffer.clear();
        write(rows);
    }

    private void write(List<T> rows) throws IOException {
        SQLException refused = withRetries(() -> executeBatch(rows));
        if (refused == null) {
            counters.rowsWritten().inc(rows.size());
        } else if (rows.size() == 1) {
            deadLetter(rows.get(0), refused);
        } else {
            // bisect: k refused rows in n cost O(k log n) batches, and good rows stay batched
            int half = rows.size() / 2;
            write(rows.subList(0, half));
            write(rows.subList(half, rows.size()));
        }
    }

    private void deadLetter(T row, SQLException refusal) throws IOException {
        DeadLetter letter = DeadLetter.of(table, row, refusal);
        counters.deadLettered().inc();
        MonitorLog.warn(
                LOG,
                letter.monitorId(),
                letter.tenantId(),
                "event=row_dead_lettered sink={} monitor={} sql_state={} reason={}",
                letter.sink(),
                letter.monitorId(),
                letter.sqlState(),
                letter.reason());
        SQLException refused = withRetries(() -> insert(letter));
        if (refused != null) {
            // cannot happen for a sanitized letter; if it does, the row is lost but the job goes on
            counters.deadLetterFailures().inc();
            MonitorLog.error(
                    LOG,
                    letter.monitorId(),
                    letter.tenantId(),
                    "event=dead_letter_refused sink={} monitor={} sql_state={} reason={}",
                    letter.sink(),
                    letter.monitorId(),
                    SqlFailure.sqlState(refused),
                    SqlFailure.message(refused));
        }
    }

    private void executeBatch(List<T> rows) throws SQLException {
        Connection c = connection();
        if (rowStatement == null) {
            rowStatement = c.prepareStatement(sql);
        }
        try {
            for (T row : rows) {
                table.bind(rowStatement, row);
                rowStatement.addBatch();
            }
            rowStatement.executeBatch();
            c.commit();
        } catch (SQLException e) {
            rollback(rowStatement);
            throw e;
        }
    }

    private void insert(DeadLetter letter) throws SQLException {
        Connection c = connection();
        if (deadLetterStatement == null) {
            deadLetterStatement = c.prepareStatement(DeadLetter.INSERT);
        }
        try {
            letter.bind(deadLetterStatement);
            deadLetterStatement.executeUpdate();
            c.commit();
        } catch (SQLException e) {
            rollback(deadLetterStatement);
            throw e;
        }
    }

    private void rollback(PreparedStatement statement) {
        try {
            statement.clearBatch();
            connection.rollback();
        } catch (SQLException e) {
            // the connection is gone; the caller's failure decides what happens next
            discardConnection();
        }
    }

    private interface SqlWork {
        void run() throws SQLException;
    }

    /**
     * Runs the work, retrying on unavailability; returns the refusal if PostgreSQL refused a row,
     * null on success.
     */
    private SQLException withRetries(SqlWork work) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                work.run();
                return null;
            } catch (SQLException e) {
                if (SqlFailure.of(e) == SqlFailure.ROW_REFUSED) {
                    return e;
                }
                discardConnection();
                counters.writeFailures().inc();
                String state = SqlFailure.sqlState(e);
                if (attempt > settings.maxRetries()) {
                    throw new IOException(
                            "PostgreSQL sink "
                                    + table.name()
                                    + " failed after "
                                    + settings.maxRetries()
                                    + " retries: "
                                    + state
                                    + " "
                                    + SqlFailure.message(e));
                }
                Duration backoff = backoff(attempt);
                LOG.warn(
                        "event=postgres_sink_retry sink={} attempt={} backoff_ms={} sql_state={}"
                                + " reason={}",
                        table.name(),
                        attempt,
                        backoff.toMillis(),
                        state,
                        SqlFailure.message(e));
                sleep(backoff);
            }
        }
    }

    private Duration backoff(int attempt) {
        Duration d = settings.retryBackoff().multipliedBy(1L << Math.min(attempt - 1, 20));
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    private static void sleep(Duration d) throws InterruptedIOException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry");
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Properties props = new Properties();
            props.setProperty("user", settings.user());
            props.setProperty("password", settings.password());
            props.setProperty("ApplicationName", "flinkwatch-sink-" + table.name());
            // keep row values out of exception messages and logs ("Failing row contains ...")
            props.setProperty("logServerErrorDetail", "false");
            // the driver directly: DriverManager does not see drivers of the job's class loader
            Connection c = DRIVER.connect(settings.jdbcUrl(), props);
            if (c == null) {
                throw new SQLException("not a PostgreSQL JDBC URL: " + settings.jdbcUrl(), "08001");
            }
            c.setAutoCommit(false);
            connection = c;
        }
        return connection;
    }

    private void discardConnection() {
        Connection c = connection;
        connection = null;
        rowStatement = null;
        deadLetterStatement = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already broken
            }
        }
    }

    /**
     * Closes the connection; buffered rows are not written (Flink flushed them at the last
     * checkpoint).
     */
    @Override
    public void close() {
        discardConnection();
    }
}
