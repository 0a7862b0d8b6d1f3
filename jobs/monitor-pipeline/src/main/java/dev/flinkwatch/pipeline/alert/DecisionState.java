package dev.flinkwatch.pipeline.alert;

/**
 * The alert decider's memory of one source. The episode counters make alert ids: they are
 * checkpointed, so a replay after a restore raises the same ids, and every new crossing a new one,
 * even on content seen before.
 *
 * @param conditionMet whether the condition held at the last decided content (null: never decided)
 * @param failing whether a MONITOR_FAILING alert is outstanding
 * @param episodes CONDITION_MET alerts raised for this source so far
 * @param failureEpisodes failing streaks alerted for this source so far
 * @param seenVersion the newest content version any check reported
 * @param decidedVersion the content version the condition was last decided for
 * @param generation the monitor's generation when this state was created: a source removed (or
 *     whose condition changed) and decided again starts its episodes at 1 in a new generation, so
 *     its alert ids never repeat an earlier one
 */
public record DecisionState(
        Boolean conditionMet,
        boolean failing,
        long episodes,
        long failureEpisodes,
        long seenVersion,
        long decidedVersion,
        long generation) {

    static DecisionState initial(long generation) {
        return new DecisionState(null, false, 0, 0, 0, 0, generation);
    }

    DecisionState seen(long version) {
        return new DecisionState(
                conditionMet,
                failing,
                episodes,
                failureEpisodes,
                Math.max(seenVersion, version),
                decidedVersion,
                generation);
    }

    DecisionState decided(boolean met, long version) {
        return new DecisionState(
                met, failing, episodes, failureEpisodes, seenVersion, version, generation);
    }

    DecisionState nextEpisode() {
        return new DecisionState(
                conditionMet,
                failing,
                episodes + 1,
                failureEpisodes,
                seenVersion,
                decidedVersion,
                generation);
    }

    DecisionState failingSince() {
        return new DecisionState(
                conditionMet,
                true,
                episodes,
                failureEpisodes + 1,
                seenVersion,
                decidedVersion,
                generation);
    }

    DecisionState recovered() {
        return new DecisionState(
                conditionMet,
                false,
                episodes,
                failureEpisodes,
                seenVersion,
                decidedVersion,
                generation);
    }
}
