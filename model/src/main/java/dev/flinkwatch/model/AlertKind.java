package dev.flinkwatch.model;

/** Why an alert was raised. */
public enum AlertKind {
    /** The monitor's condition became true (or, for any_change, the content changed). */
    CONDITION_MET,
    /** Several consecutive checks failed. */
    MONITOR_FAILING,
    /** A check succeeded again after MONITOR_FAILING. */
    MONITOR_RECOVERED,
    /**
     * The tenant's daily LLM token budget is used up: llm conditions are skipped until the next UTC
     * day. Raised once per tenant and day.
     */
    LLM_BUDGET_EXCEEDED
}
