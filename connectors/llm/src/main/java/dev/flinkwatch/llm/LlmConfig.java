package dev.flinkwatch.llm;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * Settings of the LLM evaluator, read from the environment by {@link #fromEnv(Map)}. The evaluator
 * is "configured" when {@code OPENAI_BASE_URL} or {@code OPENAI_API_KEY} is set; otherwise every
 * verdict is ERROR "LLM not configured".
 *
 * @param baseUrl OpenAI-compatible base URL ({@code OPENAI_BASE_URL}, e.g. {@code
 *     http://ollama:11434/v1}); the OpenAI API when only a key is set; null = not configured
 * @param apiKey {@code OPENAI_API_KEY}; may be null for local endpoints that need none
 * @param model {@code MONITOR_LLM_MODEL}
 * @param timeout per HTTP attempt ({@code MONITOR_LLM_TIMEOUT_MS})
 * @param maxInFlight concurrent calls per subtask: the AsyncDataStream capacity and the HTTP
 *     client's connection limit ({@code MONITOR_LLM_MAX_IN_FLIGHT})
 * @param maxInputChars character budget of the page data sent per request ({@code
 *     MONITOR_LLM_MAX_INPUT_CHARS})
 * @param maxRetries HTTP retries on 408/409/429/5xx/IO errors, done by openai-java with exponential
 *     backoff and Retry-After ({@code MONITOR_LLM_MAX_RETRIES})
 * @param maxOutputTokens {@code max_completion_tokens} per call ({@code
 *     MONITOR_LLM_MAX_OUTPUT_TOKENS})
 * @param temperature sampling temperature, null = the endpoint's default ({@code
 *     MONITOR_LLM_TEMPERATURE}; some reasoning models reject any value)
 * @param breakerFailureRatePercent the breaker opens at this failure rate ({@code
 *     MONITOR_LLM_BREAKER_FAILURE_RATE})
 * @param breakerWindow calls the failure rate is measured over, also the minimum before it can open
 *     ({@code MONITOR_LLM_BREAKER_WINDOW})
 * @param breakerOpenDuration how long the breaker rejects before letting probes through ({@code
 *     MONITOR_LLM_BREAKER_OPEN_MS})
 * @param tenantDailyTokens tokens (in + out) a tenant may spend per UTC day, 0 = unlimited ({@code
 *     MONITOR_LLM_TENANT_DAILY_TOKENS})
 * @param cacheSize verdicts kept per subtask ({@code MONITOR_LLM_CACHE_SIZE})
 * @param cacheTtl how long a cached verdict is reused after it was decided ({@code
 *     MONITOR_LLM_CACHE_TTL_MS}); bounds how long a reason quoting a page stays in memory
 */
public record LlmConfig(
        String baseUrl,
        String apiKey,
        String model,
        Duration timeout,
        int maxInFlight,
        int maxInputChars,
        int maxRetries,
        int maxOutputTokens,
        Double temperature,
        int breakerFailureRatePercent,
        int breakerWindow,
        Duration breakerOpenDuration,
        long tenantDailyTokens,
        int cacheSize,
        Duration cacheTtl)
        implements Serializable {

    public static final String OPENAI_API_URL = "https://api.openai.com/v1";
    public static final String DEFAULT_MODEL = "gpt-4o-mini";
    public static final long DEFAULT_TIMEOUT_MS = 30_000;
    public static final int DEFAULT_MAX_IN_FLIGHT = 100;
    public static final int DEFAULT_MAX_INPUT_CHARS = 12_000;
    public static final int DEFAULT_MAX_RETRIES = 2;
    public static final int DEFAULT_MAX_OUTPUT_TOKENS = 1_000;
    public static final int DEFAULT_BREAKER_FAILURE_RATE = 50;
    public static final int DEFAULT_BREAKER_WINDOW = 20;
    public static final long DEFAULT_BREAKER_OPEN_MS = 30_000;
    public static final long DEFAULT_TENANT_DAILY_TOKENS = 500_000;
    public static final int DEFAULT_CACHE_SIZE = 10_000;
    public static final long DEFAULT_CACHE_TTL_MS = 6 * 60 * 60 * 1_000L;

    /** openai-java caps every backoff, Retry-After included, at 8 s. */
    private static final Duration CLIENT_MAX_BACKOFF = Duration.ofSeconds(8);

    public LlmConfig {
        requireAtLeast("MONITOR_LLM_TIMEOUT_MS", timeout.toMillis(), 1);
        requireAtLeast("MONITOR_LLM_MAX_IN_FLIGHT", maxInFlight, 1);
        requireAtLeast("MONITOR_LLM_MAX_INPUT_CHARS", maxInputChars, 500);
        requireAtLeast("MONITOR_LLM_MAX_RETRIES", maxRetries, 0);
        requireAtLeast("MONITOR_LLM_MAX_OUTPUT_TOKENS", maxOutputTokens, 16);
        requireAtLeast("MONITOR_LLM_BREAKER_FAILURE_RATE", breakerFailureRatePercent, 1);
        if (breakerFailureRatePercent > 100) {
            throw new IllegalArgumentException(
                    "MONITOR_LLM_BREAKER_FAILURE_RATE must be at most 100, was "
                            + breakerFailureRatePercent);
        }
        requireAtLeast("MONITOR_LLM_BREAKER_WINDOW", breakerWindow, 1);
        requireAtLeast("MONITOR_LLM_BREAKER_OPEN_MS", breakerOpenDuration.toMillis(), 1);
        requireAtLeast("MONITOR_LLM_TENANT_DAILY_TOKENS", tenantDailyTokens, 0);
        requireAtLeast("MONITOR_LLM_CACHE_SIZE", cacheSize, 0);
        requireAtLeast("MONITOR_LLM_CACHE_TTL_MS", cacheTtl.toMillis(), 1);
    }

    /** Reads the process environment. */
    public static LlmConfig fromEnv() {
        return fromEnv(System.getenv());
    }

    /**
     * Reads the given environment; unset or blank variables take the defaults above.
     *
     * @throws IllegalArgumentException naming the variable when a value is malformed
     */
    public static LlmConfig fromEnv(Map<String, String> env) {
        Function<String, String> get =
                name -> {
                    String v = env.get(name);
                    return v == null || v.isBlank() ? null : v.trim();
                };
        String key = get.apply("OPENAI_API_KEY");
        String url = get.apply("OPENAI_BASE_URL");
        if (url == null && key != null) {
            url = OPENAI_API_URL;
        }
        String model = get.apply("MONITOR_LLM_MODEL");
        String temperature = get.apply("MONITOR_LLM_TEMPERATURE");
        return new LlmConfig(
                url,
                key,
                model == null ? DEFAULT_MODEL : model,
                Duration.ofMillis(number(get, "MONITOR_LLM_TIMEOUT_MS", DEFAULT_TIMEOUT_MS)),
                integer(get, "MONITOR_LLM_MAX_IN_FLIGHT", DEFAULT_MAX_IN_FLIGHT),
                integer(get, "MONITOR_LLM_MAX_INPUT_CHARS", DEFAULT_MAX_INPUT_CHARS),
                integer(get, "MONITOR_LLM_MAX_RETRIES", DEFAULT_MAX_RETRIES),
                integer(get, "MONITOR_LLM_MAX_OUTPUT_TOKENS", DEFAULT_MAX_OUTPUT_TOKENS),
                temperature == null ? null : decimal("MONITOR_LLM_TEMPERATURE", temperature),
                integer(get, "MONITOR_LLM_BREAKER_FAILURE_RATE", DEFAULT_BREAKER_FAILURE_RATE),
                integer(get, "MONITOR_LLM_BREAKER_WINDOW", DEFAULT_BREAKER_WINDOW),
                Duration.ofMillis(
                        number(get, "MONITOR_LLM_BREAKER_OPEN_MS", DEFAULT_BREAKER_OPEN_MS)),
                number(get, "MONITOR_LLM_TENANT_DAILY_TOKENS", DEFAULT_TENANT_DAILY_TOKENS),
                integer(get, "MONITOR_LLM_CACHE_SIZE", DEFAULT_CACHE_SIZE),
                Duration.ofMillis(number(get, "MONITOR_LLM_CACHE_TTL_MS", DEFAULT_CACHE_TTL_MS)));
    }

    /** True when an endpoint is set; otherwise the evaluator answers "LLM not configured". */
    public boolean configured() {
        return baseUrl != null;
    }

    /**
     * A Flink async timeout that only fires when something is really stuck: every attempt of the
     * call and of its one re-ask for an invalid answer, each with its longest backoff.
     */
    public Duration recommendedAsyncTimeout() {
        return timeout.plus(CLIENT_MAX_BACKOFF).multipliedBy((maxRetries + 1) * 2L);
    }

    /** Never prints the API key: configs end up in logs and job graphs' descriptions. */
    @Override
    public String toString() {
        return "LlmConfig[baseUrl="
                + baseUrl
                + ", apiKey="
                + (apiKey == null ? "unset" : "***")
                + ", model="
                + model
                + ", timeout="
                + timeout
                + ", maxInFlight="
                + maxInFlight
                + ", maxInputChars="
                + maxInputChars
                + ", maxRetries="
                + maxRetries
                + ", maxOutputTokens="
                + maxOutputTokens
                + ", temperature="
                + temperature
                + ", breakerFailureRatePercent="
                + breakerFailureRatePercent
                + ", breakerWindow="
                + breakerWindow
                + ", breakerOpenDuration="
                + breakerOpenDuration
                + ", tenantDailyTokens="
                + tenantDailyTokens
                + ", cacheSize="
                + cacheSize
                + ", cacheTtl="
                + cacheTtl
                + "]";
    }

    private static long number(Function<String, String> env, String name, long fallback) {
        String raw = env.apply(name);
        if (raw == null) {
            return fallback;
        }
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, was '" + raw + "'");
        }
    }

    private static int integer(Function<String, String> env, String name, int fallback) {
        long value = number(env, name, fallback);
        if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
            throw new IllegalArgumentException(name + " is out of range, was " + value);
        }
        return (int) value;
    }

    private static double decimal(String name, String raw) {
        try {
            return Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, was '" + raw + "'");
        }
    }

    private static void requireAtLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(
                    name + " must be at least " + min + ", was " + value);
        }
    }
}
