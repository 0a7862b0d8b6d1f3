package dev.flinkwatch.llm;

import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The evaluator's metrics, in the operator's metric group under {@code llm}: calls made, tokens
 * in/out, cache hits and coalesced requests, call latency, errors by kind, budget refusals,
 * tenants' breakers opening. Counters are totals over tenants (a metric per tenant would be one
 * series per customer); the logs name the tenant of each breaker transition and budget refusal.
 */
final class LlmMetrics {
    private static final int LATENCY_WINDOW = 1_000;

    final Counter calls;
    final Counter tokensIn;
    final Counter tokensOut;
    final Counter cacheHits;
    final Counter coalesced;
    final Counter errors;
    final Counter invalidAnswers;
    final Counter unavailable;
    final Counter timeouts;
    final Counter budgetSkipped;
    final Counter breakerOpened;
    private final Histogram latencyMs;
    private final MetricGroup group;

    LlmMetrics(MetricGroup operatorGroup) {
        MetricGroup group = operatorGroup.addGroup("llm");
        calls = group.counter("calls");
        tokensIn = group.counter("tokensIn");
        tokensOut = group.counter("tokensOut");
        cacheHits = group.counter("cacheHits");
        coalesced = group.counter("coalesced");
        errors = group.counter("errors");
        invalidAnswers = group.counter("invalidAnswers");
        unavailable = group.counter("unavailable");
        timeouts = group.counter("timeouts");
        budgetSkipped = group.counter("budgetSkipped");
        breakerOpened = group.counter("breakerOpened");
        latencyMs =
                group.histogram("latencyMs", new DescriptiveStatisticsHistogram(LATENCY_WINDOW));
        this.group = group;
    }

    /** Registers gauges whose values live elsewhere (open breakers, calls in flight). */
    void gauge(String name, IntSupplier value) {
        group.gauge(name, value::getAsInt);
    }

    void called(long nanos) {
        calls.inc();
        latencyMs.update(TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    void tokens(long in, long out) {
        tokensIn.inc(in);
        tokensOut.inc(out);
    }
}
