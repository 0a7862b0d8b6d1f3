package dev.flinkwatch.pipeline.sink;

import java.io.Serializable;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.apache.flink.util.function.SerializableFunction;

/**
 * One column a sink writes: its name, its SQL type and how to read it from a row. The type decides
 * the JDBC binding and what a dead letter may say about the value: {@link Type#TEXT} is page- or
 * tenant-derived content, of which only the length is recorded; every other type is a short value
 * we produce (ids, codes, times, numbers) and is recorded as it is.
 *
 * @param name the column name
 * @param type its type
 * @param value reads the value from a row (null for SQL NULL)
 */
record Column<T>(String name, Type type, SerializableFunction<T, ?> value) implements Serializable {

    enum Type {
        /** Content: bound as text, only its length goes to a dead letter. */
        TEXT,
        /** A short code or key we produce (an enum's name, a hash): bound as text, recorded. */
        CODE,
        UUID,
        TIMESTAMPTZ,
        INTEGER,
        BIGINT,
        /** Content bytes (a screenshot): only its length goes to a dead letter. */
        BYTEA
    }

    static <T> Column<T> of(String name, Type type, SerializableFunction<T, ?> value) {
        return new Column<>(name, type, value);
    }

    void bind(PreparedStatement ps, int index, T row) throws SQLException {
        Object v = value.apply(row);
        if (v == null) {
            ps.setNull(index, sqlType());
            return;
        }
        switch (type) {
            case TEXT, CODE ->
                    ps.setString(index, v instanceof Enum<?> e ? e.name() : v.toString());
            case UUID -> ps.setObject(index, (UUID) v);
            case TIMESTAMPTZ -> ps.setObject(index, ((Instant) v).atOffset(ZoneOffset.UTC));
            case INTEGER -> ps.setInt(index, ((Number) v).intValue());
            case BIGINT -> ps.setLong(index, ((Number) v).longValue());
            case BYTEA -> ps.setBytes(index, (byte[]) v);
        }
    }

    /** What a dead letter says about this column of a row: never the content of a text. */
    String describe(T row) {
        Object v = value.apply(row);
        if (v == null) {
            return name + "=null";
        }
        if (type == Type.BYTEA) {
            return name + ".bytes=" + ((byte[]) v).length;
        }
        if (type == Type.TEXT) {
            String text = v.toString();
            return name + ".chars=" + text.length() + (text.indexOf('\0') >= 0 ? "(has NUL)" : "");
        }
        return name + "=" + (v instanceof Enum<?> e ? e.name() : v.toString());
    }

    /** The parameter with its type spelled out, so a NULL needs no type inference. */
    String placeholder() {
        return switch (type) {
            case TEXT, CODE -> "?::text";
            case UUID -> "?::uuid";
            case TIMESTAMPTZ -> "?::timestamptz";
            case INTEGER -> "?::integer";
            case BIGINT -> "?::bigint";
            case BYTEA -> "?::bytea";
        };
    }

    private int sqlType() {
        return switch (type) {
            case TEXT, CODE -> Types.VARCHAR;
            case UUID -> Types.OTHER;
            case TIMESTAMPTZ -> Types.TIMESTAMP_WITH_TIMEZONE;
            case INTEGER -> Types.INTEGER;
            case BIGINT -> Types.BIGINT;
            case BYTEA -> Types.BINARY;
        };
    }
}
