package dev.flinkwatch.pipeline;

import static dev.flinkwatch.pipeline.TestSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.testing.FlinkTestCluster;
import dev.flinkwatch.testing.LocalSite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host that answers 429 with Retry-After, on the whole pipeline (MiniCluster, real Kafka and
 * PostgreSQL, a loopback site on its own address, so what the fetcher learns about it touches no
 * other test): the host is not asked again before the hold ends (arrivals noted server-side; a
 * lower bound only), the checks that fall in the hold are recorded as HOST_BUSY, and every monitor
 * takes its baseline once the hold is over.
 */
class PolitenessPipelineIT {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final String ADDRESS = "127.0.0.9";
    private static final int MONITORS = 3;
    private static final long HOLD_MS = 6000;
    private static final long TOLERANCE_MS = 20;

    @TempDir Path checkpoints;

    @Test
    void aRetryAfterHoldsTheHostAndNoMonitorIsLost() throws Exception {
        try (PipelineFixture f = new PipelineFixture();
                LocalSite site = LocalSite.start(ADDRESS);
                CheckResultLog log = CheckResultLog.follow(f.resultsTopic)) {
            List<Long> arrivals = new CopyOnWriteArrayList<>();
            AtomicInteger n = new AtomicInteger();
            site.handle(
                    "/limited",
                    exchange -> {
                        arrivals.add(System.nanoTime());
                        if (n.incrementAndGet() == 1) {
                            exchange.getResponseHeaders()
                                    .set("Retry-After", String.valueOf(HOLD_MS / 1000));
                            LocalSite.send(exchange, 429, new byte[0]);
                        } else {
                            exchange.getResponseHeaders().set("Content-Type", "text/html");
                            LocalSite.send(
                                    exchange,
                                    200,
                                    "<p>in stock</p>".getBytes(StandardCharsets.UTF_8));
                        }
                    });
            List<MonitorSpec> specs =
                    IntStream.range(0, MONITORS)
                            .mapToObj(
                                    i ->
                                            spec(
                                                    UUID.randomUUID(),
                                                    1,
                                                    1,
                                                    Condition.anyChange(),
                                                    site.url("/limited?m=" + i)))
                            .toList();
            List<UUID> ids = specs.stream().map(MonitorSpec::id).toList();
            f.upsertAll(specs);

            Configuration conf = f.config(checkpoints);
            conf.set(FetchOptions.ALLOW_LIST, List.of("127.0.0.1/32", ADDRESS + "/32"));
            conf.set(FetchOptions.MIN_DELAY_PER_HOST, Duration.ofMillis(300));
            // one request at a time: the 429 is learned before the host's next request starts
            conf.set(FetchOptions.MAX_CONCURRENT_PER_HOST, 1);
            conf.set(FetchOptions.MAX_ATTEMPTS, 1);
            conf.set(PipelineOptions.FIRST_CHECK_SPREAD, Duration.ofMillis(300));
            JobClient job =
                    MonitorPipelineJob.start(f.environment(conf), conf, PipelineFixture.noLlm());
            try {
                // every monitor takes its baseline in the end: none is lost to the hold
                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(200))
                        .until(
                                () ->
                                        ids.stream()
                                                .allMatch(
                                                        id ->
                                                                log.of(id).stream()
                                                                        .anyMatch(
                                                                                r ->
                                                                                        r.outcome()
                                                                                                == CheckOutcome
                                                                                                        .FIRST)));
            } finally {
                job.cancel().get();
            }
            List<Long> seen = new ArrayList<>(arrivals);
            seen.sort(Long::compare);
            assertThat(seen).hasSizeGreaterThan(MONITORS);
            // nothing between the 429 and the end of its hold
            assertThat(TimeUnit.NANOSECONDS.toMillis(seen.get(1) - seen.get(0)))
                    .isGreaterThanOrEqualTo(HOLD_MS - TOLERANCE_MS);

            List<CheckResult> results = log.of(ids);
            assertThat(results)
                    .filteredOn(r -> r.outcome() == CheckOutcome.ERROR)
                    .extracting(CheckResult::errorCode)
                    .containsOnly("HTTP_ERROR", "HOST_BUSY")
                    .containsOnlyOnce("HTTP_ERROR");
            // the checks that fell in the hold (a check already waiting in the fetcher when the
            // 429 came may instead give up there: "no slot within")
            assertThat(results)
                    .filteredOn(r -> "HOST_BUSY".equals(r.errorCode()))
                    .anySatisfy(
                            r ->
                                    assertThat(r.errorMessage())
                                            .startsWith(
                                                    ADDRESS + " asked for a pause (Retry-After)"));
        }
    }
}
