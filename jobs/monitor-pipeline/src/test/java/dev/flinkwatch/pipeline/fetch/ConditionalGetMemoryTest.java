package dev.flinkwatch.pipeline.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.fetch.FetchResult;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.flink.UuidTypeInfo;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.CheckRequest;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.MonitorEvent;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.model.Source;
import dev.flinkwatch.pipeline.TestSpecs;
import dev.flinkwatch.pipeline.change.ChangeDetector;
import dev.flinkwatch.testing.RecordingMetricGroup;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobInfoImpl;
import org.apache.flink.api.common.TaskInfoImpl;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.api.common.functions.util.RuntimeUDFContext;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * The validator memory together with the change detector, against a server that answers 304 to a
 * matching If-None-Match (as LocalSite and nginx do).
 */
class ConditionalGetMemoryTest {
    private static final String URL = "https://shop.example/widget";
    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
    private static final String BODY = "<html><body><p id=a>A1</p><p id=b>B1</p></body></html>";

    private final UUID id = UUID.randomUUID();
    private final List<CheckRequest> sent = new ArrayList<>();
    private final PageExtractor extractor =
            new PageExtractor(100_000, Duration.ofMinutes(1), System::nanoTime);
    private int checks;

    /** Answers like an ETag server: 304 when the request carries the current ETag. */
    private final class EtagServer extends RichAsyncFunction<CheckRequest, FetchResult> {
        @Override
        public void asyncInvoke(CheckRequest r, ResultFuture<FetchResult> out) {
            sent.add(r);
            boolean fresh = "\"v1\"".equals(r.etag());
            out.complete(
                    List.of(
                            new FetchResult(
                                    r,
                                    fresh ? FetchStatus.NOT_MODIFIED : FetchStatus.OK,
                                    fresh ? 304 : 200,
                                    URL,
                                    "text/html; charset=utf-8",
                                    "UTF-8",
                                    fresh ? null : BODY,
                                    "\"v1\"",
                                    null,
                                    r.scheduledAt(),
                                    r.scheduledAt().plusMillis(30),
                                    30L,
                                    1,
                                    0,
                                    fresh ? 0L : (long) BODY.length(),
                                    fresh ? "304 Not Modified" : "200 OK",
                                    null)));
        }
    }

    private static final class Collect implements ResultFuture<FetchResult> {
        final List<FetchResult> results = new ArrayList<>();

        @Override
        public void complete(Collection<FetchResult> result) {
            results.addAll(result);
        }

        @Override
        public void completeExceptionally(Throwable error) {
            throw new AssertionError(error);
        }

        @Override
        public void complete(CollectionSupplier<FetchResult> supplier) {
            throw new UnsupportedOperationException();
        }
    }

    private MonitorSpec spec(long version, String selector) {
        return new MonitorSpec(
                id,
                TestSpecs.TENANT,
                version,
                "w",
                List.of(new Source(URL, selector)),
                300,
                Condition.anyChange(),
                List.of(),
                null,
                MonitorStatus.ACTIVE);
    }

    private CheckOutcome check(
            ConditionalGetMemory memory,
            KeyedTwoInputStreamOperatorTestHarness<UUID, MonitorEvent, FetchedText, CheckResult>
                    detector,
            long version,
            String selector)
            throws Exception {
        CheckRequest request =
                new CheckRequest(
                        id,
                        TestSpecs.TENANT,
                        version,
                        URL,
                        selector,
                        null,
                        T0.plusSeconds(300L * checks++),
                        null,
                        null,
                        null,
                        null);
        Collect out = new Collect();
        memory.asyncInvoke(request, out);
        detector.processElement2(new StreamRecord<>(extractor.extract(out.results.get(0))));
        List<CheckResult> results = detector.extractOutputValues();
        CheckResult last = results.get(results.size() - 1);
        assertThat(last.errorCode()).isNull();
        return last.outcome();
    }

    @Test
    void aNewSelectorOnAnEtagServerTakesANewBaselineWithoutError() throws Exception {
        ConditionalGetMemory memory = new ConditionalGetMemory(new EtagServer(), 1 << 20);
        RecordingMetricGroup metrics = new RecordingMetricGroup();
        memory.setRuntimeContext(
                new RuntimeUDFContext(
                        new JobInfoImpl(new JobID(), "conditional-get-test"),
                        new TaskInfoImpl("fetch", 1, 0, 1, 0),
                        getClass().getClassLoader(),
                        new ExecutionConfig(),
                        new HashMap<>(),
                        new HashMap<>(),
                        metrics));
        memory.open(DefaultOpenContext.INSTANCE);
        try (var detector =
                ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                        new ChangeDetector(
                                60,
                                new ChangeDetector.Limits(2000, 4000, 2000, Duration.ofMinutes(1)),
                                Duration.ofHours(1)),
                        MonitorEvent::monitorId,
                        r -> r.request().monitorId(),
                        UuidTypeInfo.INSTANCE)) {
            detector.processElement1(new StreamRecord<>(MonitorEvent.upsert(spec(1, "#a"))));
            assertThat(check(memory, detector, 1, "#a")).isEqualTo(CheckOutcome.FIRST);
            assertThat(check(memory, detector, 1, "#a")).isEqualTo(CheckOutcome.UNCHANGED);
            assertThat(sent.get(1).etag()).isEqualTo("\"v1\"");

            detector.processElement1(new StreamRecord<>(MonitorEvent.upsert(spec(2, "#b"))));
            assertThat(check(memory, detector, 2, "#b")).isEqualTo(CheckOutcome.FIRST);
            assertThat(sent.get(2).etag()).as("no validators across spec versions").isNull();
            assertThat(check(memory, detector, 2, "#b")).isEqualTo(CheckOutcome.UNCHANGED);
            assertThat(sent.get(3).etag()).isEqualTo("\"v1\"");
        }
        assertThat(metrics.count("conditionalGet.validatorsSent")).isEqualTo(2);
        assertThat(metrics.count("conditionalGet.notModified")).isEqualTo(2);
        assertThat(metrics.count("conditionalGet.evictions")).isZero();
        assertThat(((Gauge<?>) metrics.get("conditionalGet.entries")).getValue()).isEqualTo(1L);
    }
}
