package dev.flinkwatch.testing;

import dev.flinkwatch.flink.FlinkTypes;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * The shared Flink MiniCluster setup for integration tests (one TaskManager, four slots), and the
 * strict job configuration every test runs with: no Kryo fallback for state or records, so a type
 * that would not survive a savepoint evolution fails the test.
 */
public final class FlinkTestCluster {
    public static final int SLOTS = 4;

    private FlinkTestCluster() {}

    /** Register with {@code @RegisterExtension static final MiniClusterExtension FLINK = ...}. */
    public static MiniClusterExtension extension() {
        return extension(new Configuration());
    }

    /** The same cluster with more cluster settings (metric reporters, ...). */
    public static MiniClusterExtension extension(Configuration extra) {
        Configuration conf = jobConfig();
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, SLOTS);
        conf.addAll(extra);
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(SLOTS)
                        .setConfiguration(conf)
                        .build());
    }

    /** Job settings for tests: the platform's types, generic (Kryo) types disabled. */
    public static Configuration jobConfig() {
        return FlinkTypes.apply(new Configuration());
    }
}
