package dev.flinkwatch.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.testing.FlinkTestCluster;
import dev.flinkwatch.testing.OpenAiStub;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The evaluator against a local OpenAI-compatible server over real HTTP, through the same
 * openai-java client as production.
 */
class LlmEvaluatorIT {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final String CONDITION = "alert me when the price drops below $50";
    private static final UUID BREAKER_TENANT = UUID.randomUUID();
    private static OpenAiStub stub;

    @BeforeAll
    static void startStub() {
        stub = OpenAiStub.start();
    }

    @AfterAll
    static void stopStub() {
        stub.close();
    }

    @BeforeEach
    void resetStub() {
        stub.clear();
        stub.answerWith(request -> OpenAiStub.verdict(false, "no answer scripted", null));
    }

    static LlmConfig config(String... overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("OPENAI_BASE_URL", stub.baseUrl());
        env.put("OPENAI_API_KEY", "sk-test-key");
        env.put("MONITOR_LLM_MODEL", "test-model");
        for (int i = 0; i < overrides.length; i += 2) {
            env.put(overrides[i], overrides[i + 1]);
        }
        return LlmConfig.fromEnv(env);
    }

    @Test
    void sendsTheContractAndTheUntrustedContentInItsOwnDelimitedBlock() throws Exception {
        stub.enqueue(OpenAiStub.verdict(true, "The price is $45, below $50.", "$45"));
        LlmRequest request =
                Requests.request(
                        CONDITION,
                        "- Price: $60\n+ Price: $4\u200B5",
                        "Blue kettle\nPrice: $4\u200B5\u202E\nIn stock\u2060");

        Verdict verdict;
        try (OpenedEvaluator evaluator = new OpenedEvaluator(config())) {
            verdict = evaluator.evaluate(request);
        }

        assertThat(verdict.status()).isEqualTo(VerdictStatus.TRIGGERED);
        assertThat(verdict.reason()).isEqualTo("The price is $45, below $50.");
        assertThat(verdict.value()).isEqualTo("$45");
        assertThat(verdict.model()).isEqualTo("test-model");
        assertThat(verdict.tokensIn()).isPositive();
        assertThat(verdict.tokensOut()).isPositive();
        assertThat(verdict.cached()).isFalse();
        assertThat(verdict.error()).isNull();
        assertThat(verdict.monitorId()).isEqualTo(request.monitorId());
        assertThat(verdict.tenantId()).isEqualTo(request.tenantId());
        assertThat(verdict.sourceUrl()).isEqualTo(request.sourceUrl());
        assertThat(verdict.contentHash()).isEqualTo(request.contentHash());
        assertThat(verdict.detectedAt()).isEqualTo(request.detectedAt());

        assertThat(stub.requests()).hasSize(1);
        JsonNode body = stub.requests().get(0);
        assertThat(body.path("model").asText()).isEqualTo("test-model");
        assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(1_000);
        assertThat(body.has("tools")).as("no tools: a verdict is all that can come back").isFalse();
        assertThat(body.has("functions")).isFalse();

        JsonNode format = body.path("response_format");
        assertThat(format.path("type").asText()).isEqualTo("json_schema");
        assertThat(format.path("json_schema").path("strict").asBoolean()).isTrue();
        JsonNode schema = format.path("json_schema").path("schema");
        assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
        assertThat(schema.path("required").toString())
                .isEqualTo("[\"triggered\",\"reason\",\"value\"]");
        assertThat(schema.path("properties").path("reason").path("maxLength").asInt())
                .isEqualTo(280);

        JsonNode messages = body.path("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.get(0).path("role").asText()).isEqualTo("system");
        assertThat(messages.get(0).path("content").asText()).isEqualTo(VerdictPrompt.SYSTEM);
        assertThat(messages.get(1).path("role").asText()).isEqualTo("user");
        assertThat(messages.get(1).path("content").asText())
                .contains(CONDITION)
                .doesNotContain("kettle");
        assertThat(messages.get(2).path("role").asText()).isEqualTo("user");
        String data = messages.get(2).path("content").asText();
        assertThat(data).startsWith("Untrusted page data follows");
        assertThat(PageDataBlock.parse(data).pageLines())
                .containsExactly(
                        "- Price: $60", "+ Price: $45", "Blue kettle", "Price: $45", "In stock");
        assertThat(body.toString()).doesNotContain("\u200B", "\u202E", "\u2060");
    }

    @Test
    void aMalformedAnswerIsAskedOnceMoreThenBecomesError() throws Exception {
        stub.enqueue(
                OpenAiStub.completion("The price is low, so: triggered!"),
                OpenAiStub.completion("{\"triggered\": true}"));

        Verdict verdict;
        try (OpenedEvaluator evaluator = new OpenedEvaluator(config())) {
            verdict = evaluator.evaluate(Requests.request(CONDITION, "+ $45", "$45"));
        }

        assertThat(verdict.status()).isEqualTo(VerdictStatus.ERROR);
        assertThat(verdict.error()).startsWith("invalid answer: answer must have exactly");
        assertThat(verdict.reason()).isNull();
        assertThat(verdict.tokensIn()).as("both asks are paid for").isPositive();
        assertThat(stub.requests()).hasSize(2);
    }

    @Test
    void aMalformedAnswerFollowedByAValidOneIsADecision() throws Exception {
        stub.enqueue(
                OpenAiStub.completion("not json at all"),
                OpenAiStub.verdict(false, "The price is $60.", "$60"));

        Verdict verdict;
        try (OpenedEvaluator evaluator = new OpenedEvaluator(config())) {
            verdict = evaluator.evaluate(Requests.request(CONDITION, "+ $60", "$60"));
        }

        assertThat(verdict.status()).isEqualTo(VerdictStatus.NOT_TRIGGERED);
        assertThat(stub.requests()).hasSize(2);
    }

    @Test
    void rateLimitIsRetriedAfterTheRetryAfterDelay() throws Exception {
        stub.enqueue(
                OpenAiStub.error(429, Map.of("Retry-After", "2")),
                OpenAiStub.verdict(true, "The price is $45.", "$45"));

        Verdict verdict;
        long started = System.nanoTime();
        try (OpenedEvaluator evaluator = new OpenedEvaluator(config())) {
            verdict = evaluator.evaluate(Requests.request(CONDITION, "+ $45", "$45"));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(verdict.status()).isEqualTo(VerdictStatus.TRIGGERED);
        assertThat(stub.requests()).hasSize(2);
        // A lower bound only: the client's own backoff for a first retry is at most 0.5 s.
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
    }

    @Test
    void serverErrorsAreRetriedAndPersistentOnesBecomeError() throws Exception {
        stub.enqueue(
                OpenAiStub.error(500, Map.of()),
                OpenAiStub.error(503, Map.of("Retry-After-Ms", "10")),
                OpenAiStub.verdict(true, "ok", null));
        Verdict recovered;
        Verdict exhausted;
        try (OpenedEvaluator evaluator = new OpenedEvaluator(config())) {
            recovered = evaluator.evaluate(Requests.request(CONDITION, "+ a", "a"));
            stub.answerWith(request -> OpenAiStub.error(429, Map.of("Retry-After", "0")));
            exhausted = evaluator.evaluate(Requests.request(CONDITION, "+ b", "b"));
        }

        assertThat(recovered.status()).isEqualTo(VerdictStatus.TRIGGERED);
        assertThat(exhausted.status()).isEqualTo(VerdictStatus.ERROR);
        assertThat(exhausted.error()).isEqualTo("LLM endpoint answered HTTP 429");
        assertThat(stub.requests()).as("3 for the first, 1 + 2 retries for the second").hasSize(6);
    }

    /** A request of the one tenant the breaker tests use (breakers are per tenant). */
    private static LlmRequest oneTenant(String diff, String text) {
        return Requests.request(UUID.randomUUID(), BREAKER_TENANT, CONDITION, diff, text);
    }

    @Test
    void breakerOpensWhileTheEndpointIsDownThenRecovers() throws Exception {
        stub.answerWith(request -> OpenAiStub.error(503, Map.of()));
        LlmConfig config =
                config(
                        "MONITOR_LLM_MAX_RETRIES", "0",
                        "MONITOR_LLM_BREAKER_WINDOW", "4",
                        "MONITOR_LLM_BREAKER_FAILURE_RATE", "50",
                        "MONITOR_LLM_BREAKER_OPEN_MS", "3000");
        try (OpenedEvaluator evaluator = new OpenedEvaluator(config)) {
            for (int i = 0; i < 4; i++) {
                Verdict failed = evaluator.evaluate(oneTenant("", "down " + i));
                assertThat(failed.error()).isEqualTo("LLM endpoint answered HTTP 503");
            }
            assertThat(stub.requests()).hasSize(4);

            Verdict rejected = evaluator.evaluate(oneTenant("", "while open"));
            assertThat(rejected.status()).isEqualTo(VerdictStatus.ERROR);
            assertThat(rejected.error()).isEqualTo("LLM unavailable");
            assertThat(stub.requests()).as("no call while the breaker is open").hasSize(4);

            stub.answerWith(request -> OpenAiStub.verdict(true, "back", null));
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(
                            () ->
                                    evaluator
                                                    .evaluate(
                                                            oneTenant(
                                                                    "",
                                                                    UUID.randomUUID().toString()))
                                                    .status()
                                            == VerdictStatus.TRIGGERED);
            for (int i = 0; i < 5; i++) {
                assertThat(evaluator.evaluate(oneTenant("", "up " + i)).status())
                        .isEqualTo(VerdictStatus.TRIGGERED);
            }
        }
    }

    @Test
    void anUnreachableEndpointIsAnErrorVerdictAndOpensTheBreaker() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        LlmConfig config =
                LlmConfig.fromEnv(
                        Map.of(
                                "OPENAI_BASE_URL", "http://127.0.0.1:" + closedPort + "/v1",
                                "MONITOR_LLM_MAX_RETRIES", "0",
                                "MONITOR_LLM_BREAKER_WINDOW", "2"));
        try (OpenedEvaluator evaluator = new OpenedEvaluator(config)) {
            Verdict first = evaluator.evaluate(oneTenant("", "x"));
            evaluator.evaluate(oneTenant("", "y"));
            Verdict third = evaluator.evaluate(oneTenant("", "z"));

            assertThat(first.status()).isEqualTo(VerdictStatus.ERROR);
            assertThat(first.error()).startsWith("LLM endpoint unreachable");
            assertThat(third.error()).isEqualTo("LLM unavailable");
        }
    }

    @Test
    void withoutConfigurationEveryVerdictSaysSo() throws Exception {
        try (OpenedEvaluator evaluator = new OpenedEvaluator(LlmConfig.fromEnv(Map.of()))) {
            Verdict verdict = evaluator.evaluate(Requests.request(CONDITION, "+ a", "a"));

            assertThat(verdict.status()).isEqualTo(VerdictStatus.ERROR);
            assertThat(verdict.error()).isEqualTo("LLM not configured");
        }
    }

    @Test
    void invalidRequestsAreErrorVerdicts() throws Exception {
        LlmRequest noCondition = Requests.request(" ", "+ a", "a");
        try (OpenedEvaluator evaluator = new OpenedEvaluator(config())) {
            assertThat(evaluator.evaluate(noCondition).error())
                    .isEqualTo("invalid request: condition missing");
        }
        assertThat(stub.requests()).isEmpty();
    }

    @Test
    void aTenantOverItsDailyBudgetIsSkippedButStillGetsItsCachedVerdicts() throws Exception {
        stub.answerWith(request -> OpenAiStub.verdict(true, "yes", null));
        UUID tenant = UUID.randomUUID();
        LlmRequest first = Requests.request(UUID.randomUUID(), tenant, CONDITION, "", "v1");
        LlmRequest second = Requests.request(UUID.randomUUID(), tenant, CONDITION, "", "v2");
        LlmRequest sameAsFirst = Requests.request(UUID.randomUUID(), tenant, CONDITION, "", "v1");
        LlmRequest otherTenant = Requests.request(CONDITION, "", "v2");
        // room for one call's worst case; what the first really costs leaves too little for another
        long budget = Requests.worstCase(first, config()) + 100;

        try (OpenedEvaluator evaluator =
                new OpenedEvaluator(
                        config("MONITOR_LLM_TENANT_DAILY_TOKENS", String.valueOf(budget)))) {
            assertThat(evaluator.evaluate(first).status()).isEqualTo(VerdictStatus.TRIGGERED);
            Verdict skipped = evaluator.evaluate(second);
            Verdict cached = evaluator.evaluate(sameAsFirst);
            Verdict other = evaluator.evaluate(otherTenant);

            assertThat(skipped.status()).isEqualTo(VerdictStatus.SKIPPED_BUDGET);
            assertThat(skipped.error()).isEqualTo(LlmEvaluator.BUDGET_EXHAUSTED);
            assertThat(cached.status()).isEqualTo(VerdictStatus.TRIGGERED);
            assertThat(cached.cached()).isTrue();
            assertThat(cached.tokensIn()).isZero();
            assertThat(other.status()).isEqualTo(VerdictStatus.TRIGGERED);
            assertThat(other.cached()).as("another tenant's verdict is never reused").isFalse();
        }
        assertThat(stub.requests()).as("first and other tenant only").hasSize(2);
    }

    @Test
    void flinksAsyncTimeoutIsAnErrorVerdict() throws Exception {
        try (OpenedEvaluator evaluator = new OpenedEvaluator(config())) {
            Verdict verdict = evaluator.timeout(Requests.request(CONDITION, "+ a", "a"));

            assertThat(verdict.status()).isEqualTo(VerdictStatus.ERROR);
            assertThat(verdict.error()).isEqualTo("LLM evaluation timed out");
        }
    }

    @Test
    void runsInAFlinkJobWithAsyncDataStreamAndTimeoutsBecomeVerdicts() throws Exception {
        // "slow" content is answered after 60 s, far beyond the job's 10 s async timeout; the
        // others are answered at once, far within it even on a loaded machine
        stub.answerWith(
                request ->
                        OpenAiStub.messagesText(request).contains("slow")
                                ? OpenAiStub.verdict(true, "late", null)
                                        .after(Duration.ofSeconds(60))
                                : OpenAiStub.verdict(
                                        OpenAiStub.messagesText(request).contains("$45"),
                                        "judged",
                                        null));
        List<LlmRequest> requests = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            requests.add(Requests.request(CONDITION, "+ Price: $45", "Price: $45 item " + i));
            requests.add(Requests.request(CONDITION, "+ Price: $60", "Price: $60 item " + i));
        }
        requests.add(Requests.request(CONDITION, "+ slow", "slow page"));

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkTestCluster.jobConfig());
        env.setParallelism(2);
        DataStream<LlmRequest> input = env.fromData(requests, FlinkTypes.info(LlmRequest.class));
        DataStream<Verdict> verdicts =
                AsyncDataStream.unorderedWait(
                        input.keyBy(LlmRequest::routingKey, Types.STRING),
                        new LlmEvaluator(config()),
                        10_000,
                        TimeUnit.MILLISECONDS,
                        10);
        List<Verdict> results = verdicts.executeAndCollect("llm-evaluator-it", requests.size());

        assertThat(results).hasSize(requests.size());
        assertThat(results)
                .filteredOn(v -> v.status() == VerdictStatus.TRIGGERED)
                .hasSize(20)
                .allMatch(v -> v.reason().equals("judged"));
        assertThat(results).filteredOn(v -> v.status() == VerdictStatus.NOT_TRIGGERED).hasSize(20);
        assertThat(results)
                .filteredOn(v -> v.status() == VerdictStatus.ERROR)
                .singleElement()
                .satisfies(v -> assertThat(v.error()).isEqualTo("LLM evaluation timed out"));
    }
}
