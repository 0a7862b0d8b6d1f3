package dev.flinkwatch.pipeline.sink;

import dev.flinkwatch.extraction.TextSanitizer;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/**
 * A row PostgreSQL refused, as recorded in {@code dead_letters}: who it belonged to and why, never
 * its content. Every text is made safe here (sanitized, on one line, bounded), so the dead letter
 * itself cannot be refused for the reason its row was.
 *
 * @param sink the sink (its table)
 * @param recordKey the row's natural-key hash, see {@link PostgresTable#recordKey}
 * @param monitorId the row's monitor (null if the row had none)
 * @param tenantId its tenant
 * @param sqlState the refusal's SQLState
 * @param reason PostgreSQL's primary message
 * @param summary the row's scalar fields and its texts' lengths
 */
record DeadLetter(
        String sink,
        String recordKey,
        UUID monitorId,
        UUID tenantId,
        String sqlState,
        String reason,
        String summary) {

    static final int MAX_SUMMARY_CHARS = 1000;

    static final String INSERT =
            "INSERT INTO dead_letters (sink, record_key, monitor_id, tenant_id, sql_state, reason,"
                    + " summary) VALUES (?, ?, ?::uuid, ?::uuid, ?, ?, ?)"
                    + " ON CONFLICT (sink, record_key) DO NOTHING";

    static <T> DeadLetter of(PostgresTable<T> table, T row, SQLException refusal) {
        return new DeadLetter(
                table.name(),
                table.recordKey(row),
                table.monitorId(row),
                table.tenantId(row),
                safe(SqlFailure.sqlState(refusal), 5),
                SqlFailure.message(refusal),
                safe(table.summary(row), MAX_SUMMARY_CHARS));
    }

    void bind(PreparedStatement ps) throws SQLException {
        ps.setString(1, sink);
        ps.setString(2, recordKey);
        ps.setObject(3, monitorId);
        ps.setObject(4, tenantId);
        ps.setString(5, sqlState);
        ps.setString(6, reason);
        ps.setString(7, summary);
    }

    /** Sanitized ({@link TextSanitizer}), on one line, at most max chars. */
    static String safe(String text, int max) {
        return TextSanitizer.truncate(
                TextSanitizer.clean(text).replace('\n', ' ').replace('\r', ' ').replace('\t', ' '),
                max);
    }
}
