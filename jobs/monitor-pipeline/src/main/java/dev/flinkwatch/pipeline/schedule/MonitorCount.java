package dev.flinkwatch.pipeline.schedule;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * How many monitors the scheduler holds in keyed state on this subtask (the {@code
 * scheduler.monitors} gauge). Keyed state cannot be counted cheaply at 100M keys, so the count is
 * kept alongside it: +1 when a monitor's first spec is stored, -1 when it is deleted, and carried
 * across restores in union operator state as (first key group, last key group, count) per subtask.
 * A restore at the same parallelism takes the subtask's own entry, exactly; after a rescale each
 * subtask takes the share of every old range that overlaps its key groups, an estimate as good as
 * the hash spreads monitor ids (savepoints of releases without this state start from 0).
 */
final class MonitorCount {
    private static final ListStateDescriptor<long[]> DESCRIPTOR =
            new ListStateDescriptor<>(
                    "monitor-count", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);

    private KeyGroupRange range;
    private ListState<long[]> stored;
    private long count;

    void initialize(OperatorStateStore store, TaskInfo task) throws Exception {
        range =
                KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                        task.getMaxNumberOfParallelSubtasks(),
                        task.getNumberOfParallelSubtasks(),
                        task.getIndexOfThisSubtask());
        stored = store.getUnionListState(DESCRIPTOR);
        List<long[]> entries = new ArrayList<>();
        stored.get().forEach(entries::add);
        count = share(entries, range);
    }

    void snapshot() throws Exception {
        stored.update(
                List.of(new long[] {range.getStartKeyGroup(), range.getEndKeyGroup(), count}));
    }

    void added() {
        count++;
    }

    void removed() {
        count = Math.max(0, count - 1);
    }

    long get() {
        return count;
    }

    /** This range's share of the stored counts, by overlap of key groups. */
    static long share(List<long[]> entries, KeyGroupRange range) {
        double total = 0;
        for (long[] e : entries) {
            long start = Math.max(e[0], range.getStartKeyGroup());
            long end = Math.min(e[1], range.getEndKeyGroup());
            if (end >= start) {
                total += e[2] * (double) (end - start + 1) / (e[1] - e[0] + 1);
            }
        }
        return Math.round(total);
    }
}
