package dev.flinkwatch.cluster;

import java.util.List;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamFilter;
import org.apache.flink.streaming.api.operators.StreamFlatMap;
import org.apache.flink.streaming.api.operators.StreamMap;

/**
 * Finds the operators of a stream graph that may hold state but have no explicit uid. Without a uid
 * Flink derives the operator id from the topology, so any change around the operator (one more map
 * upstream) silently orphans its state in the next savepoint. Only a map/filter/flatMap on an
 * unkeyed input whose function does not checkpoint anything is known to be stateless; everything
 * else (sources, keyed functions, async I/O, sinks with their writer and committer) needs a uid.
 */
final class UidCheck {
    private UidCheck() {}

    /** Names of the operators that need an explicit uid and have none. */
    static List<String> missingUids(StreamGraph graph) {
        return graph.getStreamNodes().stream()
                .filter(node -> node.getTransformationUID() == null && !knownStateless(node))
                .map(StreamNode::getOperatorName)
                .sorted()
                .toList();
    }

    private static boolean knownStateless(StreamNode node) {
        if (node.getStateKeySerializer() != null
                || !(node.getOperatorFactory() instanceof SimpleOperatorFactory<?> factory)) {
            return false;
        }
        Object operator = factory.getOperator();
        return (operator instanceof StreamMap
                        || operator instanceof StreamFilter
                        || operator instanceof StreamFlatMap)
                && !(((AbstractUdfStreamOperator<?, ?>) operator).getUserFunction()
                        instanceof CheckpointedFunction);
    }
}
