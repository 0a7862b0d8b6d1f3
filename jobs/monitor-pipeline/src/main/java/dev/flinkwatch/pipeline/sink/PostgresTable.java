package dev.flinkwatch.pipeline.sink;

import dev.flinkwatch.model.Hashing;
import java.io.Serializable;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A table a sink writes, as an idempotent statement: {@code INSERT ... SELECT} the row's columns
 * only while its monitor row exists ({@code WHERE EXISTS}: a result that races a deleted monitor is
 * dropped instead of failing on a foreign key), then the conflict clause on its natural key ({@code
 * DO NOTHING}, or an upsert), so a replay after a restore changes nothing.
 *
 * @param name the table (also the sink's name in dead letters and logs)
 * @param columns the columns in parameter order; must include {@code monitor_id} and {@code
 *     tenant_id}
 * @param key the natural key's columns: a dead letter's record key is their hash
 * @param onConflict the conflict clause
 */
record PostgresTable<T>(String name, List<Column<T>> columns, List<String> key, String onConflict)
        implements Serializable {

    PostgresTable {
        columns = List.copyOf(columns);
        key = List.copyOf(key);
        column(columns, "monitor_id");
        column(columns, "tenant_id");
        for (String k : key) {
            column(columns, k);
        }
    }

    String sql() {
        return "INSERT INTO "
                + name
                + " ("
                + columns.stream().map(Column::name).collect(Collectors.joining(", "))
                + ") SELECT "
                + columns.stream().map(Column::placeholder).collect(Collectors.joining(", "))
                + " WHERE EXISTS (SELECT 1 FROM monitors m WHERE m.id = ?::uuid"
                + " AND m.tenant_id = ?::uuid) "
                + onConflict;
    }

    void bind(PreparedStatement ps, T row) throws SQLException {
        int i = 1;
        for (Column<T> c : columns) {
            c.bind(ps, i++, row);
        }
        column(columns, "monitor_id").bind(ps, i++, row);
        column(columns, "tenant_id").bind(ps, i, row);
    }

    UUID monitorId(T row) {
        return (UUID) column(columns, "monitor_id").value().apply(row);
    }

    UUID tenantId(T row) {
        return (UUID) column(columns, "tenant_id").value().apply(row);
    }

    /** A stable id of the row: the hash of its natural key. */
    String recordKey(T row) {
        return Hashing.sha256Hex128(
                key.stream()
                        .map(k -> String.valueOf(column(columns, k).value().apply(row)))
                        .toArray(String[]::new));
    }

    /** Every column but the ids, described without text content (see {@link Column#describe}). */
    String summary(T row) {
        return columns.stream()
                .filter(c -> !c.name().equals("monitor_id") && !c.name().equals("tenant_id"))
                .map(c -> c.describe(row))
                .collect(Collectors.joining(" "));
    }

    private static <T> Column<T> column(List<Column<T>> columns, String name) {
        return columns.stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no column " + name));
    }
}
