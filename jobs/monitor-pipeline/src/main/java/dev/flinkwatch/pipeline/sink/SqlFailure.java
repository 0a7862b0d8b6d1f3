package dev.flinkwatch.pipeline.sink;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * What a failed PostgreSQL statement means for the rows it carried, by SQLState class.
 *
 * <p>{@link #ROW_REFUSED}: the row itself is unacceptable and will be refused on every retry: class
 * 22 (data exception: a NUL byte, an invalid or untranslatable character, a value too long, a
 * number out of range), 23 (integrity constraint: not null, check, foreign key) and 54 (program
 * limit exceeded: e.g. a value too large for an index). Such a row is dead-lettered and the rest of
 * its batch written.
 *
 * <p>{@link #UNAVAILABLE}: everything else. Connection loss (08), serialization failures and
 * deadlocks (40), insufficient resources (53), shutdowns and cancels (57), I/O and internal errors
 * (58, XX) are transient; a missing table, column or grant (42, 28, 3D) refuses every row, so
 * dead-lettering would silently drop them all. Both are retried with backoff and then fail the job:
 * an outage or a deployment fault must backpressure and restart, never discard data.
 */
enum SqlFailure {
    ROW_REFUSED,
    UNAVAILABLE;

    /** Longest PostgreSQL message kept in a dead letter or a log line. */
    static final int MAX_MESSAGE_CHARS = 200;

    static SqlFailure of(SQLException e) {
        String state = sqlState(e);
        if (state.length() < 2) {
            return UNAVAILABLE;
        }
        return switch (state.substring(0, 2)) {
            case "22", "23", "54" -> ROW_REFUSED;
            default -> UNAVAILABLE;
        };
    }

    /**
     * The SQLState of the failure. A failed batch reports the statement's own error as its next
     * exception; that one carries the server's state.
     */
    static String sqlState(SQLException e) {
        SQLException cause = serverError(e);
        return cause.getSQLState() == null ? "" : cause.getSQLState();
    }

    /**
     * The server's primary message only: its detail ("Failing row contains ...") and the batch
     * entry's statement text would carry row content. Bounded and stripped of control characters.
     */
    static String message(SQLException e) {
        SQLException cause = serverError(e);
        String text = cause.getMessage();
        if (cause instanceof PSQLException psql) {
            ServerErrorMessage server = psql.getServerErrorMessage();
            if (server != null) {
                text = server.getMessage();
            }
        }
        return DeadLetter.safe(
                text == null ? cause.getClass().getSimpleName() : text, MAX_MESSAGE_CHARS);
    }

    private static SQLException serverError(SQLException e) {
        SQLException next = e.getNextException();
        return next != null && next.getSQLState() != null ? next : e;
    }
}
