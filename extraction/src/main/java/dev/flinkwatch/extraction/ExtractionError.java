package dev.flinkwatch.extraction;

/** Why a fetched page yielded no text to compare; the same bytes give the same error again. */
public enum ExtractionError {
    /** The selector matched no element. */
    SELECTOR_NO_MATCH,
    /** A selector on a page that is not HTML or XML. */
    SELECTOR_NOT_APPLICABLE,
    /**
     * A pattern or selector of the spec cannot run (stored before a validation rule tightened, e.g.
     * a Java-only regex before patterns became RE2); the message names the field.
     */
    INVALID_SPEC,
    /**
     * The check's patterns ran out of their time budget ({@link PatternBudget}); the message names
     * the field that was running. Like the others it is repeated for the same bytes without running
     * the patterns again, so a page that costs too much costs it once.
     */
    PATTERN_BUDGET_EXCEEDED,
    /**
     * A selector on a page larger than selectors run on ({@link PageText#MAX_SELECTOR_ELEMENTS}, or
     * more text than the extraction cap for a selector with regexes).
     */
    SELECTOR_DOCUMENT_TOO_LARGE;

    /** The error of a stored code, or null when the code is not an extraction error. */
    public static ExtractionError of(String code) {
        for (ExtractionError e : values()) {
            if (e.name().equals(code)) {
                return e;
            }
        }
        return null;
    }
}
