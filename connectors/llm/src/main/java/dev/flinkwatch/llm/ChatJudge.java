package dev.flinkwatch.llm;

import com.openai.client.OpenAIClientAsync;
import com.openai.client.okhttp.OpenAIOkHttpClientAsync;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIRetryableException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.completions.CompletionUsage;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the model through openai-java's async client and turns every outcome into a {@link
 * Judgement}. HTTP retries (408/409/429/5xx, I/O errors and timeouts, exponential backoff with
 * jitter, Retry-After / Retry-After-Ms honoured up to 8 s) are openai-java's own; on top of them:
 *
 * <ul>
 *   <li>an answer that breaks the contract is asked once more, then becomes ERROR;
 *   <li>a circuit breaker per tenant ({@link TenantBreakers}) counts the tenant's calls that failed
 *       for availability reasons (I/O, timeout, 408, 429, 5xx, after the client's retries) and,
 *       while open, answers ERROR "LLM unavailable" for that tenant without calling; after the open
 *       duration it lets probe calls through and closes when they succeed.
 * </ul>
 */
final class ChatJudge implements AutoCloseable {
    static final String UNAVAILABLE = "LLM unavailable";
    static final String NOT_ASKED_AGAIN = " (not asked again: token budget)";

    private static final Logger LOG = LoggerFactory.getLogger(ChatJudge.class);
    private static final int MAX_ERROR_DETAIL = 200;

    private final LlmConfig config;
    private final LlmMetrics metrics;
    private final OkHttpClient http;
    private final OpenAIClientAsync client;
    private final TenantBreakers breakers;

    ChatJudge(LlmConfig config, LlmMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        // openai-java's own transport allows 64 concurrent requests; ours allows maxInFlight.
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(config.maxInFlight());
        dispatcher.setMaxRequestsPerHost(config.maxInFlight());
        this.http =
                new OkHttpClient.Builder()
                        .dispatcher(dispatcher)
                        .connectionPool(
                                new ConnectionPool(config.maxInFlight(), 5, TimeUnit.MINUTES))
                        .connectTimeout(config.timeout())
                        .readTimeout(config.timeout())
                        .writeTimeout(config.timeout())
                        .callTimeout(config.timeout())
                        .build();
        this.client =
                OpenAIOkHttpClientAsync.builder()
                        .okHttpClient(http)
                        .baseUrl(config.baseUrl())
                        // local endpoints (Ollama, vLLM) need no key; the client needs a value
                        .apiKey(config.apiKey() == null ? "none" : config.apiKey())
                        .maxRetries(config.maxRetries())
                        .build();
        this.breakers = new TenantBreakers(config, metrics.breakerOpened);
    }

    /** Tenants whose breaker is open, for a gauge. */
    int openBreakers() {
        return breakers.openCount();
    }

    /**
     * One judgement; the future never completes exceptionally.
     *
     * @param tenant whose breaker guards the call
     * @param askAgain asked before re-asking after an invalid answer: whether the tenant's budget
     *     has room for another ask
     */
    CompletableFuture<Judgement> judge(
            VerdictPrompt prompt, UUID tenant, UUID monitorId, BooleanSupplier askAgain) {
        ChatCompletionCreateParams.Builder params =
                ChatCompletionCreateParams.builder()
                        .model(config.model())
                        .addSystemMessage(prompt.system())
                        .addUserMessage(prompt.condition())
                        .addUserMessage(prompt.pageData())
                        .responseFormat(VerdictAnswer.responseFormat())
                        .maxCompletionTokens(config.maxOutputTokens());
        if (config.temperature() != null) {
            params.temperature(config.temperature());
        }
        return ask(params.build(), breakers.of(tenant), monitorId, askAgain, true, 0, 0);
    }

    private CompletableFuture<Judgement> ask(
            ChatCompletionCreateParams params,
            CircuitBreaker breaker,
            UUID monitorId,
            BooleanSupplier askAgain,
            boolean firstAsk,
            long tokensInBefore,
            long tokensOutBefore) {
        if (!breaker.tryAcquirePermission()) {
            metrics.unavailable.inc();
            LOG.debug("llm call skipped monitor={} reason=breaker-open", monitorId);
            return CompletableFuture.completedFuture(
                    Judgement.failed(UNAVAILABLE, null, tokensInBefore, tokensOutBefore));
        }
        long started = System.nanoTime();
        CompletableFuture<ChatCompletion> call;
        try {
            call = client.chat().completions().create(params);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle(
                        (completion, failure) -> {
                            long nanos = System.nanoTime() - started;
                            metrics.called(nanos);
                            if (failure != null) {
                                Throwable cause = unwrap(failure);
                                breaker.onError(nanos, TimeUnit.NANOSECONDS, cause);
                                metrics.errors.inc();
                                String error = describe(cause);
                                LOG.warn("llm call failed monitor={} error={}", monitorId, error);
                                return CompletableFuture.completedFuture(
                                        Judgement.failed(
                                                error, null, tokensInBefore, tokensOutBefore));
                            }
                            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
                            long in =
                                    completion
                                            .usage()
                                            .map(CompletionUsage::promptTokens)
                                            .orElse(0L);
                            long out =
                                    completion
                                            .usage()
                                            .map(CompletionUsage::completionTokens)
                                            .orElse(0L);
                            metrics.tokens(in, out);
                            long totalIn = tokensInBefore + in;
                            long totalOut = tokensOutBefore + out;
                            try {
                                VerdictAnswer answer = VerdictAnswer.parse(content(completion));
                                return CompletableFuture.completedFuture(
                                        Judgement.answered(
                                                answer, completion.model(), totalIn, totalOut));
                            } catch (InvalidAnswerException invalid) {
                                metrics.invalidAnswers.inc();
                                LOG.warn(
                                        "llm answer invalid monitor={} firstAsk={} problem={}",
                                        monitorId,
                                        firstAsk,
                                        invalid.getMessage());
                                if (firstAsk && askAgain.getAsBoolean()) {
                                    return ask(
                                            params, breaker, monitorId, askAgain, false, totalIn,
                                            totalOut);
                                }
                                metrics.errors.inc();
                                return CompletableFuture.completedFuture(
                                        Judgement.failed(
                                                "invalid answer: "
                                                        + invalid.getMessage()
                                                        + (firstAsk ? NOT_ASKED_AGAIN : ""),
                                                completion.model(),
                                                totalIn,
                                                totalOut));
                            }
                        })
                .thenCompose(Function.identity());
    }

    /** The assistant's text; a refusal or a missing message is an invalid answer. */
    private static String content(ChatCompletion completion) throws InvalidAnswerException {
        if (completion.choices().isEmpty()) {
            throw new InvalidAnswerException("no choices in the completion");
        }
        ChatCompletionMessage message = completion.choices().get(0).message();
        if (message.refusal().isPresent()) {
            throw new InvalidAnswerException("the model refused");
        }
        return message.content().orElse(null);
    }

    /** Failures that mean the endpoint is not serving: they count towards opening the breaker. */
    static boolean isUnavailability(Throwable failure) {
        if (failure instanceof OpenAIServiceException service) {
            int status = service.statusCode();
            return status == 408 || status == 429 || status >= 500;
        }
        return failure instanceof OpenAIIoException
                || failure instanceof OpenAIRetryableException
                || failure instanceof IOException;
    }

    /** A short, key-free description of a failed call. */
    static String describe(Throwable failure) {
        String detail;
        if (failure instanceof OpenAIServiceException service) {
            detail = "LLM endpoint answered HTTP " + service.statusCode();
        } else if (isUnavailability(failure)) {
            Throwable root = failure;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            detail =
                    "LLM endpoint unreachable: "
                            + root.getClass().getSimpleName()
                            + (root.getMessage() == null ? "" : " " + root.getMessage());
        } else {
            detail = "LLM call failed: " + failure.getClass().getSimpleName();
        }
        // exception messages can carry anything the endpoint sent; errors end up in PostgreSQL
        detail = InvisibleCharacters.strip(detail);
        return detail.length() <= MAX_ERROR_DETAIL ? detail : detail.substring(0, MAX_ERROR_DETAIL);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public void close() {
        client.close();
        // the transport was handed to openai-java, which does not own (or close) it
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
