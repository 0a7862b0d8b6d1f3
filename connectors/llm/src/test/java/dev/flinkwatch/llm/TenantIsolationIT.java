package dev.flinkwatch.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flinkwatch.testing.OpenAiStub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One tenant cannot read, plant or spend another's verdicts, breaker or budget: the real evaluator
 * and openai-java client against the local OpenAI-compatible stub over HTTP.
 */
class TenantIsolationIT {
    private static final String CONDITION = "alert me when the price drops below $50";
    private static final UUID A = UUID.randomUUID();
    private static final UUID B = UUID.randomUUID();

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
    }

    private static LlmConfig config(String... overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("OPENAI_BASE_URL", stub.baseUrl());
        env.put("MONITOR_LLM_MODEL", "test-model");
        for (int i = 0; i < overrides.length; i += 2) {
            env.put(overrides[i], overrides[i + 1]);
        }
        return LlmConfig.fromEnv(env);
    }

    @Test
    void tenantsAskingTheSameQuestionEachGetTheirOwnCallAndNeverAnothersReason() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        stub.answerWith(
                request -> OpenAiStub.verdict(true, "call " + calls.incrementAndGet(), "$45"));
        String page = "Blue kettle. Price: $45";

        try (OpenedEvaluator evaluator = new OpenedEvaluator(config())) {
            Verdict a =
                    evaluator.evaluate(Requests.request(UUID.randomUUID(), A, CONDITION, "", page));
            // B copies A's condition and page: it must neither read A's verdict nor plant one
            Verdict b =
                    evaluator.evaluate(Requests.request(UUID.randomUUID(), B, CONDITION, "", page));
            Verdict aAgain =
                    evaluator.evaluate(Requests.request(UUID.randomUUID(), A, CONDITION, "", page));
            Verdict bAgain =
                    evaluator.evaluate(Requests.request(UUID.randomUUID(), B, CONDITION, "", page));

            assertThat(a.cached()).isFalse();
            assertThat(b.cached()).isFalse();
            assertThat(b.reason()).isNotEqualTo(a.reason());
            assertThat(aAgain.cached()).isTrue();
            assertThat(aAgain.reason()).isEqualTo(a.reason());
            assertThat(bAgain.cached()).isTrue();
            assertThat(bAgain.reason()).isEqualTo(b.reason());
        }
        assertThat(stub.requests()).as("one call per tenant").hasSize(2);
    }

    @Test
    void aTenantWhosePromptsFailOrTimeOutOpensOnlyItsOwnBreaker() throws Exception {
        // B's pages make the endpoint fail (500) or hang past the HTTP timeout; A's are answered
        stub.answerWith(
                request -> {
                    String text = OpenAiStub.messagesText(request);
                    if (text.contains("tenant-b-hangs")) {
                        return OpenAiStub.verdict(true, "too late", null)
                                .after(Duration.ofSeconds(60));
                    }
                    if (text.contains("tenant-b-breaks")) {
                        return OpenAiStub.error(500, Map.of());
                    }
                    return OpenAiStub.verdict(true, "judged", null);
                });
        LlmConfig config =
                config(
                        "MONITOR_LLM_MAX_RETRIES", "0",
                        "MONITOR_LLM_TIMEOUT_MS", "5000",
                        "MONITOR_LLM_BREAKER_WINDOW", "4",
                        "MONITOR_LLM_BREAKER_FAILURE_RATE", "50",
                        "MONITOR_LLM_BREAKER_OPEN_MS", "600000");

        try (OpenedEvaluator evaluator = new OpenedEvaluator(config)) {
            List<CompletableFuture<Verdict>> bFailing = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                bFailing.add(evaluator.submit(bRequest("tenant-b-hangs " + i)));
                bFailing.add(evaluator.submit(bRequest("tenant-b-breaks " + i)));
            }
            // while B's calls hang, A's are judged
            for (int i = 0; i < 5; i++) {
                assertThat(evaluator.evaluate(aRequest("a while b hangs " + i)).status())
                        .isEqualTo(VerdictStatus.TRIGGERED);
            }
            for (CompletableFuture<Verdict> failing : bFailing) {
                Verdict verdict = failing.get(2, TimeUnit.MINUTES);
                assertThat(verdict.status()).isEqualTo(VerdictStatus.ERROR);
                assertThat(verdict.error()).isNotEqualTo(ChatJudge.UNAVAILABLE);
            }
            int callsWhenBOpened = stub.requests().size();

            Verdict bRejected = evaluator.evaluate(bRequest("tenant-b fine page"));
            assertThat(bRejected.status()).isEqualTo(VerdictStatus.ERROR);
            assertThat(bRejected.error()).isEqualTo(ChatJudge.UNAVAILABLE);
            for (int i = 0; i < 5; i++) {
                assertThat(evaluator.evaluate(aRequest("a after b opened " + i)).status())
                        .isEqualTo(VerdictStatus.TRIGGERED);
            }
            assertThat(stub.requests())
                    .as("B's open breaker makes no call; each of A's does")
                    .hasSize(callsWhenBOpened + 5);
        }
    }

    @Test
    void concurrentRequestsNeverReserveMoreThanTheBudget() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        stub.answerWith(
                request -> {
                    try {
                        release.await(2, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return OpenAiStub.verdict(true, "yes", null);
                });
        List<LlmRequest> requests = new ArrayList<>();
        for (int i = 10; i < 50; i++) { // same length: the same worst case each
            requests.add(aRequest("item " + i));
        }
        long worstCase = Requests.worstCase(requests.get(0), config());
        long budget = 3 * worstCase + worstCase / 2;

        List<CompletableFuture<Verdict>> verdicts = new ArrayList<>();
        Verdict afterSettling;
        try (OpenedEvaluator evaluator =
                new OpenedEvaluator(
                        config("MONITOR_LLM_TENANT_DAILY_TOKENS", String.valueOf(budget)))) {
            try {
                for (LlmRequest request : requests) {
                    verdicts.add(evaluator.submit(request));
                }
                // refusals are immediate; the admitted calls wait in the stub
                assertThat(verdicts)
                        .filteredOn(CompletableFuture::isDone)
                        .hasSize(37)
                        .allMatch(v -> v.join().status() == VerdictStatus.SKIPPED_BUDGET);
                await().atMost(Duration.ofMinutes(1)).until(() -> stub.requests().size() == 3);
            } finally {
                release.countDown();
            }
            for (CompletableFuture<Verdict> verdict : verdicts) {
                verdict.get(2, TimeUnit.MINUTES);
            }
            // settled with what the calls really cost, the unused reservations came back
            afterSettling = evaluator.evaluate(aRequest("item 50"));
        }

        List<Verdict> judged =
                verdicts.stream()
                        .map(CompletableFuture::join)
                        .filter(v -> v.status() == VerdictStatus.TRIGGERED)
                        .toList();
        assertThat(judged).hasSize(3);
        assertThat(judged.stream().mapToLong(v -> v.tokensIn() + v.tokensOut()).sum())
                .isLessThanOrEqualTo(budget);
        assertThat(afterSettling.status()).isEqualTo(VerdictStatus.TRIGGERED);
        assertThat(stub.requests()).hasSize(4);
    }

    private static LlmRequest aRequest(String page) {
        return Requests.request(UUID.randomUUID(), A, CONDITION, "", page);
    }

    private static LlmRequest bRequest(String page) {
        return Requests.request(UUID.randomUUID(), B, CONDITION, "", page);
    }
}
