package dev.flinkwatch.llm;

/** What the evaluator decided about one {@link LlmRequest}. */
public enum VerdictStatus {
    /** The model judged the condition true for the current content. */
    TRIGGERED,
    /** The model judged the condition false for the current content. */
    NOT_TRIGGERED,
    /**
     * No valid judgement: not configured, endpoint unavailable (breaker open), timeout, invalid
     * answer after one retry, bad request. The condition's state is unknown, not false.
     */
    ERROR,
    /** The tenant's daily token budget is used up; no call was made. */
    SKIPPED_BUDGET
}
