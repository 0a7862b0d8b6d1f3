package dev.flinkwatch.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.llm.LlmConfig;
import dev.flinkwatch.pipeline.MonitorPipelineJob;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/** Every stateful operator of the monitor pipeline has an explicit, stable uid. */
class UidTest {

    @Test
    void everyStatefulOperatorOfThePipelineHasAUid() {
        Configuration conf = FlinkTypes.apply(new Configuration());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        MonitorPipelineJob.wire(env, conf, LlmConfig.fromEnv(Map.of()));
        var graph = env.getStreamGraph();
        assertThat(graph.getStreamNodes()).hasSizeGreaterThan(10);
        assertThat(UidCheck.missingUids(graph)).isEmpty();
    }

    @Test
    void aKeyedFunctionWithoutUidIsReported() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromData(1, 2, 3)
                .uid("numbers")
                .map(i -> i + 1) // stateless: no uid needed
                .keyBy(i -> i % 2)
                .process(new Count(), Types.INT)
                .name("Count")
                .sinkTo(new DiscardingSink<>())
                .uid("discard");
        assertThat(UidCheck.missingUids(env.getStreamGraph())).containsExactly("Count");
    }

    private static final class Count extends KeyedProcessFunction<Integer, Integer, Integer> {
        @Override
        public void processElement(Integer value, Context ctx, Collector<Integer> out) {
            out.collect(value);
        }
    }
}
