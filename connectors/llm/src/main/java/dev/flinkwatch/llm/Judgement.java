package dev.flinkwatch.llm;

/**
 * The outcome of asking the model once for one (condition, content): shared by every request that
 * reuses it through the cache or a coalesced call. Never an exception: failures are ERROR.
 */
record Judgement(
        VerdictStatus status,
        String reason,
        String value,
        String model,
        long tokensIn,
        long tokensOut,
        String error) {

    static Judgement answered(VerdictAnswer answer, String model, long tokensIn, long tokensOut) {
        return new Judgement(
                answer.triggered() ? VerdictStatus.TRIGGERED : VerdictStatus.NOT_TRIGGERED,
                answer.reason(),
                answer.value(),
                model,
                tokensIn,
                tokensOut,
                null);
    }

    static Judgement failed(String error, String model, long tokensIn, long tokensOut) {
        return new Judgement(VerdictStatus.ERROR, null, null, model, tokensIn, tokensOut, error);
    }

    /** Only real decisions are reused; an error must be retried by the next change or check. */
    boolean cacheable() {
        return status == VerdictStatus.TRIGGERED || status == VerdictStatus.NOT_TRIGGERED;
    }
}
