package dev.flinkwatch.pipeline.compat;

import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.flink.UuidTypeInfo;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.pipeline.alert.DecisionState;
import dev.flinkwatch.pipeline.alert.Evaluation;
import dev.flinkwatch.pipeline.change.SourceCheck;
import dev.flinkwatch.pipeline.change.SourceState;
import dev.flinkwatch.pipeline.fetch.FetchedText;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.OperatorIDPair;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.state.api.runtime.SavepointLoader;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * The keyed state of the pipeline's stateful operators in a savepoint, read with the State
 * Processor API through the <em>current</em> state classes and descriptors, so reading an older
 * release's savepoint runs the same serializer compatibility checks and migrations as restoring the
 * job does. The descriptor names and uids are the job's compatibility contract: they are repeated
 * here on purpose, so renaming one in the job fails this test instead of silently starting with
 * empty state.
 */
public final class SavepointState {
    /** The scheduler's state of a monitor, with the processing-time timers it registered. */
    public record Schedule(
            UUID monitorId, MonitorSpec spec, Long nextDue, Long deferredFrom, Set<Long> timers) {}

    /**
     * The change detector's state of one source.
     *
     * @param state its hot state and text copy, in the one-value layout whichever it was read from
     * @param split read from the split layout (hot state + text copy), not the pre-issue-13 one
     */
    public record Source(
            UUID monitorId,
            String url,
            MonitorSpec spec,
            SourceState state,
            boolean split,
            int earlyResults,
            Long earlyExpiry) {}

    /** The alert decider's state of one source. */
    public record Decision(
            UUID monitorId,
            String url,
            DecisionState state,
            Long lastConditionAlertAt,
            Long releaseAt,
            int deferred,
            Long generation) {}

    public final Map<UUID, Schedule> schedules = new HashMap<>();
    public final Map<String, Source> sources = new HashMap<>();
    public final Map<String, Decision> decisions = new HashMap<>();

    /**
     * Reads a savepoint directory (or its {@code _metadata}) on the current environment's cluster.
     */
    public static SavepointState read(String path) throws Exception {
        Configuration conf = FlinkTypes.apply(new Configuration());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(1);
        // canonical savepoints are backend independent; the heap backend reads them in memory
        SavepointReader savepoint = SavepointReader.read(env, path, new HashMapStateBackend());
        SavepointState out = new SavepointState();
        for (Row row : collect(savepoint, "monitor-scheduler", new ScheduleReader())) {
            out.schedules.put(
                    row.monitorId,
                    new Schedule(
                            row.monitorId, row.spec, row.nextDue, row.deferredFrom, row.timers()));
        }
        for (Row row : collect(savepoint, "change-detector", new SourceReader())) {
            out.sources.put(
                    row.url,
                    new Source(
                            row.monitorId,
                            row.url,
                            row.spec,
                            row.source,
                            row.split,
                            row.earlyResults,
                            row.earlyExpiry));
        }
        for (Row row : collect(savepoint, "alert-decider", new DecisionReader())) {
            out.decisions.put(
                    row.url,
                    new Decision(
                            row.monitorId,
                            row.url,
                            row.decision,
                            row.lastConditionAlertAt,
                            row.releaseAt,
                            row.deferred,
                            row.generation));
        }
        return out;
    }

    /**
     * The max parallelism (number of key groups) the savepoint's keyed state was written with; a
     * job restored from it must run with the same.
     */
    /**
     * The committer operators of the flink-connector-jdbc sinks (at-least-once: they never receive
     * a committable, see docs/upgrades.md), which the current job no longer has.
     */
    public static final Set<OperatorID> JDBC_COMMITTERS =
            Set.of(
                    OperatorIdentifier.forUid("Sink Committer: alerts-postgres").getOperatorId(),
                    OperatorIdentifier.forUid("Sink Committer: check-runs-postgres")
                            .getOperatorId(),
                    OperatorIdentifier.forUid("Sink Committer: monitor-status-postgres")
                            .getOperatorId());

    /** Operators with state in the savepoint that the job of the stream graph does not have. */
    public static Set<OperatorID> operatorsMissingFrom(String path, StreamGraph graph)
            throws java.io.IOException {
        Set<OperatorID> job = new HashSet<>();
        for (JobVertex vertex : graph.getJobGraph().getVertices()) {
            for (OperatorIDPair ids : vertex.getOperatorIDs()) {
                job.add(ids.getGeneratedOperatorID());
                ids.getUserDefinedOperatorID().ifPresent(job::add);
            }
        }
        Set<OperatorID> missing = new HashSet<>();
        for (OperatorState o : SavepointLoader.loadSavepointMetadata(path).getOperatorStates()) {
            boolean stateful =
                    o.getCoordinatorState() != null
                            || o.getStates().stream().anyMatch(OperatorSubtaskState::hasState);
            if (stateful && !job.contains(o.getOperatorID())) {
                missing.add(o.getOperatorID());
            }
        }
        return missing;
    }

    public static int maxParallelism(String path) throws java.io.IOException {
        return SavepointLoader.loadSavepointMetadata(path).getOperatorStates().stream()
                .filter(
                        o ->
                                o.getStates().stream()
                                        .anyMatch(s -> s.getManagedKeyedState().hasState()))
                .mapToInt(org.apache.flink.runtime.checkpoint.OperatorState::getMaxParallelism)
                .distinct()
                .reduce(
                        (a, b) -> {
                            throw new IllegalStateException(
                                    "keyed operators differ: " + a + ", " + b);
                        })
                .orElseThrow();
    }

    private static List<Row> collect(
            SavepointReader savepoint, String uid, KeyedStateReaderFunction<UUID, Row> reader)
            throws Exception {
        DataStream<Row> rows =
                savepoint.readKeyedState(
                        OperatorIdentifier.forUid(uid),
                        reader,
                        UuidTypeInfo.INSTANCE,
                        FlinkTypes.info(Row.class));
        List<Row> out = new java.util.ArrayList<>();
        try (CloseableIterator<Row> it = rows.executeAndCollect("read " + uid)) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    /**
     * One state entry as the readers emit it: a mutable POJO (Flink's type extraction needs no
     * more), turned into the records above on the client.
     */
    public static final class Row {
        public UUID monitorId;
        public String url;
        public MonitorSpec spec;
        public Long nextDue;
        public long[] timerArray;
        public SourceState source;
        public boolean split;
        public DecisionState decision;
        public Long lastConditionAlertAt;
        public Long deferredFrom;
        public Long releaseAt;
        public int deferred;
        public Long generation;
        public int earlyResults;
        public Long earlyExpiry;

        public Row() {}

        Set<Long> timers() {
            Set<Long> out = new java.util.TreeSet<>();
            if (timerArray != null) {
                for (long t : timerArray) {
                    out.add(t);
                }
            }
            return out;
        }
    }

    private static final class ScheduleReader extends KeyedStateReaderFunction<UUID, Row> {
        private transient ValueState<MonitorSpec> spec;
        private transient ValueState<Long> nextDue;
        private transient ValueState<Long> deferredFrom;

        @Override
        public void open(OpenContext openContext) {
            spec =
                    getRuntimeContext()
                            .getState(
                                    new ValueStateDescriptor<>(
                                            "spec", FlinkTypes.info(MonitorSpec.class)));
            nextDue =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("next-due", Types.LONG));
            deferredFrom =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("deferred-from", Types.LONG));
        }

        @Override
        public void readKey(UUID key, Context ctx, Collector<Row> out) throws Exception {
            Row row = new Row();
            row.monitorId = key;
            row.spec = spec.value();
            row.nextDue = nextDue.value();
            row.deferredFrom = deferredFrom.value();
            row.timerArray =
                    ctx.registeredProcessingTimeTimers().stream()
                            .mapToLong(Long::longValue)
                            .toArray();
            out.collect(row);
        }
    }

    private static final class SourceReader extends KeyedStateReaderFunction<UUID, Row> {
        private transient ValueState<MonitorSpec> spec;
        private transient MapState<String, SourceState> sources;
        private transient MapState<String, SourceCheck> checks;
        private transient MapState<String, String> texts;
        private transient ListState<FetchedText> early;
        private transient ValueState<Long> earlyExpiry;

        @Override
        public void open(OpenContext openContext) {
            spec =
                    getRuntimeContext()
                            .getState(
                                    new ValueStateDescriptor<>(
                                            "spec", FlinkTypes.info(MonitorSpec.class)));
            sources =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            "sources",
                                            Types.STRING,
                                            FlinkTypes.info(SourceState.class)));
            checks =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            "source-checks",
                                            Types.STRING,
                                            FlinkTypes.info(SourceCheck.class)));
            texts =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            "source-texts", Types.STRING, Types.STRING));
            early =
                    getRuntimeContext()
                            .getListState(
                                    new ListStateDescriptor<>(
                                            "early-checks", FlinkTypes.info(FetchedText.class)));
            earlyExpiry =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("early-expiry", Types.LONG));
        }

        @Override
        public void readKey(UUID key, Context ctx, Collector<Row> out) throws Exception {
            MonitorSpec current = spec.value();
            int earlyResults = 0;
            for (FetchedText ignored : early.get()) {
                earlyResults++;
            }
            Long expiry = earlyExpiry.value();
            Map<String, Row> rows = new HashMap<>();
            for (Map.Entry<String, SourceState> e : sources.entries()) {
                Row row = new Row();
                row.source = e.getValue();
                rows.put(e.getKey(), row);
            }
            for (Map.Entry<String, SourceCheck> e : checks.entries()) {
                // a source migrates on its first check: never in both layouts
                if (rows.containsKey(e.getKey())) {
                    throw new IllegalStateException(e.getKey() + " is in both layouts");
                }
                SourceCheck c = e.getValue();
                Row row = new Row();
                row.split = true;
                row.source =
                        new SourceState(
                                c.rawHash(),
                                c.contentHash(),
                                texts.get(e.getKey()),
                                c.lastOutcome(),
                                c.lastErrorCode(),
                                c.lastErrorMessage(),
                                c.consecutiveFailures(),
                                c.lastChangeAt(),
                                c.contentVersion(),
                                c.lastFetchStartedAt());
                rows.put(e.getKey(), row);
            }
            for (Map.Entry<String, Row> e : rows.entrySet()) {
                Row row = e.getValue();
                row.monitorId = key;
                row.url = e.getKey();
                row.spec = current;
                row.earlyResults = earlyResults;
                row.earlyExpiry = expiry;
                out.collect(row);
            }
        }
    }

    private static final class DecisionReader extends KeyedStateReaderFunction<UUID, Row> {
        private transient MapState<String, DecisionState> decisions;
        private transient ValueState<Long> lastConditionAlertAt;
        private transient ValueState<Long> releaseAt;
        private transient MapState<String, Evaluation> deferred;
        private transient ValueState<Long> generation;

        @Override
        public void open(OpenContext openContext) {
            decisions =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            "decisions",
                                            Types.STRING,
                                            FlinkTypes.info(DecisionState.class)));
            lastConditionAlertAt =
                    getRuntimeContext()
                            .getState(
                                    new ValueStateDescriptor<>("last-condition-alert", Types.LONG));
            releaseAt =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("release-at", Types.LONG));
            deferred =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            "deferred",
                                            Types.STRING,
                                            FlinkTypes.info(Evaluation.class)));
            generation =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("generation", Types.LONG));
        }

        @Override
        public void readKey(UUID key, Context ctx, Collector<Row> out) throws Exception {
            Long last = lastConditionAlertAt.value();
            Long release = releaseAt.value();
            Long monitorGeneration = generation.value();
            for (Map.Entry<String, DecisionState> e : decisions.entries()) {
                Row row = new Row();
                row.monitorId = key;
                row.url = e.getKey();
                row.decision = e.getValue();
                row.lastConditionAlertAt = last;
                row.releaseAt = release;
                row.generation = monitorGeneration;
                row.deferred = deferred.contains(e.getKey()) ? 1 : 0;
                out.collect(row);
            }
        }
    }
}
