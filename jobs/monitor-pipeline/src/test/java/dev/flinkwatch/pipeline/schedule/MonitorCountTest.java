package dev.flinkwatch.pipeline.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.junit.jupiter.api.Test;

class MonitorCountTest {
    private static final List<long[]> TWO_SUBTASKS =
            List.of(new long[] {0, 63, 1000}, new long[] {64, 127, 3000});

    @Test
    void theSameRangeTakesItsOwnCountExactly() {
        assertThat(MonitorCount.share(TWO_SUBTASKS, KeyGroupRange.of(0, 63))).isEqualTo(1000);
        assertThat(MonitorCount.share(TWO_SUBTASKS, KeyGroupRange.of(64, 127))).isEqualTo(3000);
    }

    @Test
    void aRescaleSharesByKeyGroupOverlapAndKeepsTheTotal() {
        long a = MonitorCount.share(TWO_SUBTASKS, KeyGroupRange.of(0, 42));
        long b = MonitorCount.share(TWO_SUBTASKS, KeyGroupRange.of(43, 85));
        long c = MonitorCount.share(TWO_SUBTASKS, KeyGroupRange.of(86, 127));
        assertThat(a).isEqualTo(672); // 43 of 64 key groups of the first range
        assertThat(a + b + c).isBetween(3999L, 4001L);
        assertThat(MonitorCount.share(TWO_SUBTASKS, KeyGroupRange.of(0, 127))).isEqualTo(4000);
    }

    @Test
    void nothingStoredIsZero() {
        assertThat(MonitorCount.share(List.of(), KeyGroupRange.of(0, 127))).isZero();
    }
}
