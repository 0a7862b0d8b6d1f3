package dev.flinkwatch.pipeline.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlFailureTest {

    @ParameterizedTest
    @CsvSource({
        "22021, ROW_REFUSED", // NUL / invalid byte sequence
        "22001, ROW_REFUSED", // value too long
        "22003, ROW_REFUSED", // numeric out of range
        "23502, ROW_REFUSED", // not null
        "23514, ROW_REFUSED", // check constraint
        "23503, ROW_REFUSED", // foreign key
        "54000, ROW_REFUSED", // program limit (index row too large)
        "08006, UNAVAILABLE", // connection failure
        "08001, UNAVAILABLE", // cannot connect
        "40001, UNAVAILABLE", // serialization failure
        "40P01, UNAVAILABLE", // deadlock
        "53300, UNAVAILABLE", // too many connections
        "57P01, UNAVAILABLE", // admin shutdown
        "57014, UNAVAILABLE", // statement timeout
        "42P01, UNAVAILABLE", // missing table: refuses every row, must not dead-letter them all
        "28P01, UNAVAILABLE", // bad password
        "XX000, UNAVAILABLE"
    })
    void classifiesBySqlStateClass(String state, SqlFailure expected) {
        assertThat(SqlFailure.of(new SQLException("m", state))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            value = {"NULL", "''", "2"},
            nullValues = "NULL")
    void aMissingStateIsNotTheRowsFault(String state) {
        assertThat(SqlFailure.of(new SQLException("m", state))).isEqualTo(SqlFailure.UNAVAILABLE);
    }

    @ParameterizedTest
    @CsvSource({"22021, ROW_REFUSED", "08006, UNAVAILABLE"})
    void aBatchIsJudgedByTheStatementsOwnError(String state, SqlFailure expected) {
        BatchUpdateException batch =
                new BatchUpdateException("Batch entry 3 <unknown> was aborted", null, new int[0]);
        batch.setNextException(new SQLException("server said", state));
        assertThat(SqlFailure.of(batch)).isEqualTo(expected);
        assertThat(SqlFailure.sqlState(batch)).isEqualTo(state);
        assertThat(SqlFailure.message(batch)).isEqualTo("server said");
    }

    @Test
    void messagesAreSafeAndBounded() {
        assertThat(SqlFailure.message(new SQLException("a\0b\nc", "22021"))).isEqualTo("ab c");
        assertThat(SqlFailure.message(new SQLException("x".repeat(1000), "22021")))
                .hasSize(SqlFailure.MAX_MESSAGE_CHARS);
    }
}
