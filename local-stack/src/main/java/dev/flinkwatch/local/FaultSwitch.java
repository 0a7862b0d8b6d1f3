package dev.flinkwatch.local;

import dev.flinkwatch.model.CheckResult;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Tests only ({@link LocalStackOptions#TEST_FAULT_FILE}): a stateless branch on the check results
 * that fails its task while a file exists, so a test can make the real pipeline job fail as often
 * as it likes and end it for good once the restart strategy gives up. It lives in the local stack,
 * not in the pipeline: production jobs never contain it.
 */
final class FaultSwitch implements FilterFunction<CheckResult> {
    private final String file;

    private FaultSwitch(String file) {
        this.file = file;
    }

    /** Adds the switch to the job the check results belong to. */
    static void attach(DataStream<CheckResult> checkResults, String file) {
        checkResults
                .filter(new FaultSwitch(file))
                .uid("test-fault-switch")
                .name("Test fault switch")
                .sinkTo(new DiscardingSink<>())
                .uid("test-fault-switch-sink");
    }

    @Override
    public boolean filter(CheckResult result) {
        if (Files.exists(Path.of(file))) {
            throw new IllegalStateException("test fault switch is on: " + file);
        }
        return false;
    }
}
