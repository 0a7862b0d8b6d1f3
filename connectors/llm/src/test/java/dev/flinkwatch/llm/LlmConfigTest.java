package dev.flinkwatch.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LlmConfigTest {

    @Test
    void emptyEnvironmentIsNotConfiguredWithDefaults() {
        LlmConfig config = LlmConfig.fromEnv(Map.of());

        assertThat(config.configured()).isFalse();
        assertThat(config.model()).isEqualTo("gpt-4o-mini");
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.maxInFlight()).isEqualTo(100);
        assertThat(config.maxInputChars()).isEqualTo(12_000);
        assertThat(config.maxRetries()).isEqualTo(2);
        assertThat(config.maxOutputTokens()).isEqualTo(1_000);
        assertThat(config.temperature()).isNull();
        assertThat(config.breakerFailureRatePercent()).isEqualTo(50);
        assertThat(config.breakerWindow()).isEqualTo(20);
        assertThat(config.breakerOpenDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.tenantDailyTokens()).isEqualTo(500_000);
        assertThat(config.cacheSize()).isEqualTo(10_000);
        assertThat(config.cacheTtl()).isEqualTo(Duration.ofHours(6));
    }

    @Test
    void aKeyAloneMeansTheOpenAiApi() {
        LlmConfig config = LlmConfig.fromEnv(Map.of("OPENAI_API_KEY", "sk-test"));

        assertThat(config.configured()).isTrue();
        assertThat(config.baseUrl()).isEqualTo("https://api.openai.com/v1");
    }

    @Test
    void aBaseUrlAloneIsALocalEndpointWithoutKey() {
        LlmConfig config = LlmConfig.fromEnv(Map.of("OPENAI_BASE_URL", "http://ollama:11434/v1"));

        assertThat(config.configured()).isTrue();
        assertThat(config.apiKey()).isNull();
    }

    @Test
    void readsEveryVariable() {
        LlmConfig config =
                LlmConfig.fromEnv(
                        Map.ofEntries(
                                Map.entry("OPENAI_BASE_URL", "http://llm:8000/v1"),
                                Map.entry("OPENAI_API_KEY", "k"),
                                Map.entry("MONITOR_LLM_MODEL", "qwen2.5-7b"),
                                Map.entry("MONITOR_LLM_TIMEOUT_MS", "1500"),
                                Map.entry("MONITOR_LLM_MAX_IN_FLIGHT", "7"),
                                Map.entry("MONITOR_LLM_MAX_INPUT_CHARS", "900"),
                                Map.entry("MONITOR_LLM_MAX_RETRIES", "0"),
                                Map.entry("MONITOR_LLM_MAX_OUTPUT_TOKENS", "300"),
                                Map.entry("MONITOR_LLM_TEMPERATURE", "0"),
                                Map.entry("MONITOR_LLM_BREAKER_FAILURE_RATE", "80"),
                                Map.entry("MONITOR_LLM_BREAKER_WINDOW", "5"),
                                Map.entry("MONITOR_LLM_BREAKER_OPEN_MS", "250"),
                                Map.entry("MONITOR_LLM_TENANT_DAILY_TOKENS", "0"),
                                Map.entry("MONITOR_LLM_CACHE_SIZE", "3"),
                                Map.entry("MONITOR_LLM_CACHE_TTL_MS", "60000")));

        assertThat(config)
                .isEqualTo(
                        new LlmConfig(
                                "http://llm:8000/v1",
                                "k",
                                "qwen2.5-7b",
                                Duration.ofMillis(1500),
                                7,
                                900,
                                0,
                                300,
                                0.0,
                                80,
                                5,
                                Duration.ofMillis(250),
                                0,
                                3,
                                Duration.ofMinutes(1)));
    }

    @Test
    void malformedValuesNameTheVariable() {
        assertThatThrownBy(() -> LlmConfig.fromEnv(Map.of("MONITOR_LLM_MAX_IN_FLIGHT", "lots")))
                .hasMessageContaining("MONITOR_LLM_MAX_IN_FLIGHT");
        assertThatThrownBy(() -> LlmConfig.fromEnv(Map.of("MONITOR_LLM_MAX_IN_FLIGHT", "0")))
                .hasMessageContaining("MONITOR_LLM_MAX_IN_FLIGHT must be at least 1");
        assertThatThrownBy(
                        () -> LlmConfig.fromEnv(Map.of("MONITOR_LLM_MAX_IN_FLIGHT", "99999999999")))
                .hasMessageContaining("MONITOR_LLM_MAX_IN_FLIGHT");
        assertThatThrownBy(
                        () -> LlmConfig.fromEnv(Map.of("MONITOR_LLM_BREAKER_FAILURE_RATE", "101")))
                .hasMessageContaining("MONITOR_LLM_BREAKER_FAILURE_RATE");
    }

    @Test
    void toStringHidesTheKey() {
        assertThat(LlmConfig.fromEnv(Map.of("OPENAI_API_KEY", "sk-secret-123")).toString())
                .doesNotContain("sk-secret-123")
                .contains("apiKey=***");
    }

    @Test
    void recommendedAsyncTimeoutCoversEveryAttemptAndTheReAsk() {
        LlmConfig config = LlmConfig.fromEnv(Map.of("MONITOR_LLM_TIMEOUT_MS", "10000"));

        // (10 s + 8 s max backoff) x 3 attempts x 2 asks
        assertThat(config.recommendedAsyncTimeout()).isEqualTo(Duration.ofSeconds(108));
    }
}
