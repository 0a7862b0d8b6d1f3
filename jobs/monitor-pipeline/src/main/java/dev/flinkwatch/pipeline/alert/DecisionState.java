package dev.flinkwatch.pipeline.alert;

/**
 * The alert decider's memory of one source.
 *
 * @param conditionMet whether the condition held at the last decided check (null: never decided)
 * @param lastAlertId the id of the last CONDITION_MET alert, to drop duplicates
 * @param failing whether a MONITOR_FAILING alert is outstanding
 */
public record DecisionState(Boolean conditionMet, String lastAlertId, boolean failing) {
    static final DecisionState INITIAL = new DecisionState(null, null, false);
}
