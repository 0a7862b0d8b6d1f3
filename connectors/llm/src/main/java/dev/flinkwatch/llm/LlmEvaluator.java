package dev.flinkwatch.llm;

import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.model.MonitorSpecValidator;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges natural-language conditions on an OpenAI-compatible endpoint, as a Flink async function:
 * one {@link Verdict} per {@link LlmRequest}, never an exception, so the LLM cannot fail the job.
 *
 * <p>Per request: unconfigured → ERROR "LLM not configured"; a decision the same tenant got for the
 * same prompt ({@link VerdictKey}), or a call in flight for it → reused without a call (tokens 0,
 * cached=true); no room in the tenant's daily budget for the call's worst case → SKIPPED_BUDGET;
 * else the worst case is reserved and one call goes through {@link ChatJudge} (retries, answer
 * validation, the tenant's breaker), then the reservation is settled with the real usage. Flink's
 * async timeout → ERROR "LLM evaluation timed out".
 *
 * <p>Wiring (see docs/llm.md): partition by {@link LlmRequest#routingKey()} so requests that can
 * share a verdict meet in one subtask, then {@code AsyncDataStream.unorderedWait(stream, new
 * LlmEvaluator(config), config.recommendedAsyncTimeout(), config.maxInFlight())} with a stable
 * {@code uid}: the operator state holds the tenants' token counts of the day.
 */
public class LlmEvaluator extends RichAsyncFunction<LlmRequest, Verdict>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LlmEvaluator.class);

    static final String NOT_CONFIGURED = "LLM not configured";
    static final String TIMED_OUT = "LLM evaluation timed out";
    static final String BUDGET_EXHAUSTED = "tenant's daily LLM token budget is used up";

    private final LlmConfig config;

    private transient LlmMetrics metrics;
    private transient ChatJudge judge;
    private transient VerdictCache cache;
    private transient TenantTokenBudget budget;
    private transient SecureRandom tokens;
    private transient Clock clock;
    private transient ListState<TenantTokens> spentState;

    public LlmEvaluator(LlmConfig config) {
        this.config = config;
    }

    /** Runs before {@link #open}: the budget's counts of the day survive restarts. */
    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        spentState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "llm-tenant-tokens", FlinkTypes.info(TenantTokens.class)));
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        if (budget != null) {
            spentState.update(budget.snapshot());
        }
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        metrics = new LlmMetrics(getRuntimeContext().getMetricGroup());
        if (!config.configured()) {
            LOG.warn("llm evaluator not configured: every llm verdict is ERROR");
            return;
        }
        judge = new ChatJudge(config, metrics);
        cache = new VerdictCache(config.cacheSize(), config.cacheTtl());
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        long share = TenantTokenBudget.share(config.tenantDailyTokens(), parallelism);
        budget = new TenantTokenBudget(share);
        // the reservation of a call with a full page of ASCII text
        long largestCall =
                VerdictPrompt.SYSTEM.length()
                        + (long) config.maxInputChars()
                        + MonitorSpecValidator.MAX_PROMPT_LENGTH
                        + VerdictPrompt.FRAMING_TOKENS
                        + config.maxOutputTokens();
        if (share > 0 && share < largestCall) {
            LOG.warn(
                    "llm tenant budget share per subtask tokens={} is below the reservation of a"
                            + " full-size call tokens={}: large pages will be SKIPPED_BUDGET; raise"
                            + " MONITOR_LLM_TENANT_DAILY_TOKENS or lower the evaluator's parallelism",
                    share,
                    largestCall);
        }
        tokens = new SecureRandom();
        clock = Clock.systemUTC();
        if (spentState != null) {
            budget.restore(spentState.get(), today());
        }
        metrics.gauge("breakersOpen", judge::openBreakers);
        metrics.gauge("inFlight", cache::inFlightCount);
        metrics.gauge("cachedVerdicts", () -> (int) cache.size());
        LOG.info("llm evaluator ready config={} parallelism={}", config, parallelism);
    }

    @Override
    public void asyncInvoke(LlmRequest request, ResultFuture<Verdict> result) {
        try {
            evaluate(request, result);
        } catch (RuntimeException e) {
            // a bug or a bad record must not fail the job: it becomes this request's verdict
            LOG.error("llm evaluation failed monitor={}", request.monitorId(), e);
            metrics.errors.inc();
            complete(
                    result, Verdict.error(request, "evaluation failed: " + e.getClass().getName()));
        }
    }

    private void evaluate(LlmRequest request, ResultFuture<Verdict> result) {
        if (judge == null) {
            complete(result, Verdict.error(request, NOT_CONFIGURED));
            return;
        }
        String invalid = invalidRequest(request);
        if (invalid != null) {
            LOG.warn("llm request rejected monitor={} problem={}", request.monitorId(), invalid);
            metrics.errors.inc();
            complete(result, Verdict.error(request, "invalid request: " + invalid));
            return;
        }
        LocalDate day = today();
        VerdictCache.Lookup lookup =
                cache.findOrCall(
                        VerdictKey.of(request, config.model(), config.maxInputChars()),
                        () -> call(request, day));
        if (lookup == null) {
            metrics.budgetSkipped.inc();
            LOG.info(
                    "llm call skipped monitor={} tenant={} reason=budget",
                    request.monitorId(),
                    request.tenantId());
            complete(
                    result,
                    Verdict.withoutCall(request, VerdictStatus.SKIPPED_BUDGET, BUDGET_EXHAUSTED));
            return;
        }
        boolean reused = lookup.source() != VerdictCache.Source.CALLED;
        if (lookup.source() == VerdictCache.Source.CACHED) {
            metrics.cacheHits.inc();
        } else if (lookup.source() == VerdictCache.Source.JOINED) {
            metrics.coalesced.inc();
        }
        lookup.judgement()
                .thenAccept(judgement -> complete(result, Verdict.of(request, judgement, reused)));
    }

    /** Reserves the call's worst case and makes it; null when the tenant's budget has no room. */
    private CompletableFuture<Judgement> call(LlmRequest request, LocalDate day) {
        VerdictPrompt prompt = VerdictPrompt.of(request, config.maxInputChars(), boundaryToken());
        long worstCase = prompt.tokenEstimate() + config.maxOutputTokens();
        TenantTokenBudget.Reservation reservation =
                budget.reserve(request.tenantId(), day, worstCase);
        if (reservation == null) {
            return null;
        }
        CompletableFuture<Judgement> judged;
        try {
            judged =
                    judge.judge(
                            prompt,
                            request.tenantId(),
                            request.monitorId(),
                            () -> reservation.extend(worstCase));
        } catch (RuntimeException e) {
            reservation.settle(0);
            throw e;
        }
        return judged.whenComplete(
                (judgement, failure) -> {
                    long spent =
                            judgement == null ? 0 : judgement.tokensIn() + judgement.tokensOut();
                    reservation.settle(spent);
                    if (judgement != null) {
                        LOG.debug(
                                "llm judged monitor={} status={} tokensIn={} tokensOut={}",
                                request.monitorId(),
                                judgement.status(),
                                judgement.tokensIn(),
                                judgement.tokensOut());
                    }
                });
    }

    @Override
    public void timeout(LlmRequest request, ResultFuture<Verdict> result) {
        metrics.timeouts.inc();
        LOG.warn("llm evaluation timed out monitor={}", request.monitorId());
        complete(result, Verdict.error(request, TIMED_OUT));
    }

    @Override
    public void close() {
        if (judge != null) {
            judge.close();
        }
    }

    private LocalDate today() {
        return LocalDate.now(clock); // the clock is UTC
    }

    private static String invalidRequest(LlmRequest request) {
        if (request.monitorId() == null) {
            return "monitorId missing";
        }
        if (request.tenantId() == null) {
            return "tenantId missing";
        }
        if (request.condition() == null || request.condition().isBlank()) {
            return "condition missing";
        }
        if (request.contentHash() == null) {
            return "contentHash missing";
        }
        return null;
    }

    /** A fresh random token per request: page text cannot know, so cannot close, the frame. */
    private String boundaryToken() {
        byte[] random = new byte[12];
        tokens.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    private static void complete(ResultFuture<Verdict> result, Verdict verdict) {
        result.complete(List.of(verdict));
    }
}
