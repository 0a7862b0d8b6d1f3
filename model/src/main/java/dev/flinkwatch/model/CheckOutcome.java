package dev.flinkwatch.model;

/** What one check concluded. */
public enum CheckOutcome {
    /** First successful check of a source: the baseline. Never alerts. */
    FIRST,
    /** Same normalized content as last time (including HTTP 304). */
    UNCHANGED,
    /** The normalized content differs from the last successful check. */
    CHANGED,
    /** The check failed; {@code errorCode} says why. */
    ERROR
}
