package dev.flinkwatch.cluster;

import dev.flinkwatch.flink.ConfigLoader;
import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.llm.LlmConfig;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.pipeline.MonitorPipeline;
import dev.flinkwatch.pipeline.MonitorPipelineJob;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * "The next release" of the job for the savepoint upgrade test: the same pipeline with the same
 * uids, plus one new stateless operator (a per-kind alert counter), so the topology and its
 * generated job graph differ from the release the savepoint was taken with.
 */
public final class UpgradedMonitorPipelineJob {
    private UpgradedMonitorPipelineJob() {}

    public static void main(String[] args) throws Exception {
        Configuration conf = ConfigLoader.load(MonitorPipelineJob.options(), System.getenv(), args);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkTypes.apply(conf));
        MonitorPipeline.Outputs outputs = MonitorPipelineJob.wire(env, conf, LlmConfig.fromEnv());
        outputs.alerts()
                .map(new CountKinds(), Types.STRING)
                .name("Alert kinds (new in this release)")
                .sinkTo(new DiscardingSink<>())
                .uid("alert-kinds-discard");
        env.execute(MonitorPipelineJob.JOB_NAME);
    }

    private static final class CountKinds extends RichMapFunction<Alert, String> {
        private transient Counter alerts;

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext context) {
            alerts = getRuntimeContext().getMetricGroup().counter("alertsSeen");
        }

        @Override
        public String map(Alert alert) {
            alerts.inc();
            return alert.kind().name();
        }
    }
}
