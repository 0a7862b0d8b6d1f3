package dev.flinkwatch.pipeline.change;

import dev.flinkwatch.flink.FlinkTypes;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The change detector's keyed memory of a monitor's sources, split by how often it changes: the hot
 * {@link SourceCheck} (hashes, outcome, counters; written by a check only when it differs) and the
 * cold text copy for diffs (written only when the content changed, read only to diff or to show a
 * recovery). Up to issue 13 both were one {@link SourceState} value under {@code sources},
 * rewritten whole by every check; such entries (a restored savepoint) move over lazily, the first
 * time their source is read: read old, write new, clear old.
 */
public final class SourceStore {
    /** The hot state (a new descriptor each time: descriptors cache their serializer). */
    public static MapStateDescriptor<String, SourceCheck> checksDescriptor() {
        return new MapStateDescriptor<>(
                "source-checks", Types.STRING, FlinkTypes.info(SourceCheck.class));
    }

    /** The cold text copies. */
    public static MapStateDescriptor<String, String> textsDescriptor() {
        return new MapStateDescriptor<>("source-texts", Types.STRING, Types.STRING);
    }

    /** The layout up to issue 13, read only to migrate. */
    public static MapStateDescriptor<String, SourceState> legacyDescriptor() {
        return new MapStateDescriptor<>(
                "sources", Types.STRING, FlinkTypes.info(SourceState.class));
    }

    private final MapState<String, SourceCheck> checks;
    private final MapState<String, String> texts;
    private final MapState<String, SourceState> legacy;

    SourceStore(RuntimeContext context) {
        checks = context.getMapState(checksDescriptor());
        texts = context.getMapState(textsDescriptor());
        legacy = context.getMapState(legacyDescriptor());
    }

    /** The source's hot state (null: never checked), migrating an entry of the old layout. */
    SourceCheck check(String url) throws Exception {
        SourceCheck check = checks.get(url);
        if (check != null) {
            return check;
        }
        SourceState old = legacy.get(url);
        if (old == null) {
            return null;
        }
        check = old.check();
        checks.put(url, check);
        if (old.contentHash() != null && old.text() != null) {
            texts.put(url, old.text());
        }
        legacy.remove(url);
        return check;
    }

    /** The text copy of the source's baseline (null without one); call {@link #check} first. */
    String text(String url) throws Exception {
        return texts.get(url);
    }

    /**
     * After a check.
     *
     * @param newText the new content's text copy, null when the content did not change
     */
    void update(String url, SourceCheck prev, SourceCheck next, String newText) throws Exception {
        if (!next.equals(prev)) {
            checks.put(url, next);
        }
        if (newText != null) {
            texts.put(url, newText);
        }
    }

    /** Drops the baseline (the source is read differently now), keeping counters and order. */
    void dropBaseline(String url, SourceCheck check) throws Exception {
        checks.put(url, check.withoutBaseline());
        texts.remove(url);
    }

    void remove(String url) throws Exception {
        checks.remove(url);
        texts.remove(url);
        legacy.remove(url);
    }

    void clear() {
        checks.clear();
        texts.clear();
        legacy.clear();
    }
}
