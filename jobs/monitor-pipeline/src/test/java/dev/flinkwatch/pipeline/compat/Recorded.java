package dev.flinkwatch.pipeline.compat;

import dev.flinkwatch.model.CheckResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * What a job on the in-JVM MiniCluster did, for the generator and the compatibility test: every
 * check result it produced (through {@link #sink()}), and its completed checkpoints.
 */
final class Recorded {
    /** Every check result of the running job; the test clears it before it starts one. */
    static final ConcurrentLinkedQueue<CheckResult> RESULTS = new ConcurrentLinkedQueue<>();

    private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");

    private Recorded() {}

    static List<CheckResult> results(String url) {
        return RESULTS.stream().filter(r -> r.sourceUrl().equals(url)).toList();
    }

    static Sink<CheckResult> sink() {
        return new ResultSink();
    }

    /**
     * The highest completed checkpoint id under a checkpoint directory ({@code chk-N} with its
     * {@code _metadata}), if any. Flink retains only the latest, so directories of older ones
     * vanish while this walks: those are skipped, not errors.
     */
    static OptionalLong latestCheckpoint(Path checkpoints) {
        try (Stream<Path> files = Files.walk(checkpoints, 3)) {
            return files.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .map(p -> CHECKPOINT.matcher(p.getParent().getFileName().toString()))
                    .filter(Matcher::matches)
                    .mapToLong(m -> Long.parseLong(m.group(1)))
                    .max();
        } catch (IOException | java.io.UncheckedIOException e) {
            return OptionalLong.empty();
        }
    }

    private static final class ResultSink implements Sink<CheckResult> {
        @Override
        public SinkWriter<CheckResult> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(CheckResult element, Context ctx) {
                    RESULTS.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
