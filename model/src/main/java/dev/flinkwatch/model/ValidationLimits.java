package dev.flinkwatch.model;

/**
 * The configurable bounds of {@link MonitorSpecValidator}. Fixed caps (lengths, counts) are
 * constants there; only what operators need to change is here.
 *
 * @param minIntervalSeconds the interval floor; 60 s in production, lowered for trials and tests
 */
public record ValidationLimits(int minIntervalSeconds) {
    public static final int DEFAULT_MIN_INTERVAL_SECONDS = 60;
    public static final int MAX_INTERVAL_SECONDS = 7 * 24 * 3600;

    public static final ValidationLimits DEFAULTS =
            new ValidationLimits(DEFAULT_MIN_INTERVAL_SECONDS);

    public ValidationLimits {
        if (minIntervalSeconds < 1 || minIntervalSeconds > MAX_INTERVAL_SECONDS) {
            throw new IllegalArgumentException(
                    "minIntervalSeconds must be between 1 and "
                            + MAX_INTERVAL_SECONDS
                            + ", was "
                            + minIntervalSeconds);
        }
    }
}
