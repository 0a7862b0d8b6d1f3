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
 */
public record DecisionState(
        Boolean conditionMet,
        boolean failing,
        long episodes,
        long failureEpisodes,
        long seenVersion,
        long decidedVersion) {
    static final DecisionState INITIAL = new DecisionState(null, false, 0, 0, 0, 0);

    DecisionState seen(long version) {
        return new DecisionState(
                conditionMet,
                failing,
                episodes,
                failureEpisodes,
                Math.max(seenVersion, version),
                decidedVersion);
    }

    DecisionState decided(boolean met, long version) {
        return new DecisionState(met, failing, episodes, failureEpisodes, seenVersion, version);
    }

    DecisionState nextEpisode() {
        return new DecisionState(
                conditionMet, failing, episodes + 1, failureEpisodes, seenVersion, decidedVersion);
    }

    DecisionState failingSince() {
        return new DecisionState(
                conditionMet, true, episodes, failureEpisodes + 1, seenVersion, decidedVersion);
    }

    DecisionState recovered() {
        return new DecisionState(
                conditionMet, false, episodes, failureEpisodes, seenVersion, decidedVersion);
    }
}
