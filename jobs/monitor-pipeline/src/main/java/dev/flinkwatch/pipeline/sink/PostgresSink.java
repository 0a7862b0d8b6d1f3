package dev.flinkwatch.pipeline.sink;

import java.io.IOException;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.MetricGroup;

/**
 * An at-least-once PostgreSQL sink for one table: rows are buffered and written when the batch is
 * full, when the oldest buffered row has waited the batch interval, and on {@link
 * SinkWriter#flush}, which Flink calls before a checkpoint barrier passes, so every row before a
 * checkpoint is in PostgreSQL (or in {@code dead_letters}) when the checkpoint completes. Metrics
 * on the writer's group under {@code sink}: {@code rowsWritten}, {@code writeFailures} (failed
 * attempts to write a batch: retried, or the task fails), {@code deadLettered}, {@code
 * deadLetterFailures}.
 */
public final class PostgresSink<T> implements Sink<T> {
    private final PostgresTable<T> table;
    private final PostgresSinks.Settings settings;

    PostgresSink(PostgresTable<T> table, PostgresSinks.Settings settings) {
        this.table = table;
        this.settings = settings;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        MetricGroup metrics = context.metricGroup().addGroup("sink");
        return new Writer<>(
                new PostgresWriter<>(
                        table,
                        settings,
                        new PostgresWriter.Counters(
                                metrics.counter("rowsWritten"),
                                metrics.counter("writeFailures"),
                                metrics.counter("deadLettered"),
                                metrics.counter("deadLetterFailures"))),
                context.getProcessingTimeService(),
                settings.batchInterval().toMillis());
    }

    /** The Flink side: batching by time; timers run on the task thread, like write and flush. */
    private static final class Writer<T> implements SinkWriter<T> {
        private final PostgresWriter<T> rows;
        private final ProcessingTimeService time;
        private final long intervalMs;
        private boolean timerSet;

        Writer(PostgresWriter<T> rows, ProcessingTimeService time, long intervalMs) {
            this.rows = rows;
            this.time = time;
            this.intervalMs = intervalMs;
        }

        @Override
        public void write(T row, Context context) throws IOException {
            rows.add(row);
            if (!rows.isEmpty() && !timerSet) {
                timerSet = true;
                time.registerTimer(
                        time.getCurrentProcessingTime() + intervalMs,
                        now -> {
                            timerSet = false;
                            rows.flush();
                        });
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            rows.flush();
        }

        @Override
        public void close() {
            rows.close();
        }
    }
}
