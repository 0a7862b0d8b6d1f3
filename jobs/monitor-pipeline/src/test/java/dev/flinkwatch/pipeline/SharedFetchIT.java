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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared fetches on the whole pipeline (MiniCluster, real Kafka and PostgreSQL, a loopback site):
 * many monitors on one URL cost one request per round, a page that changed between rounds is seen
 * by every monitor, and no check gets a response that started more than the window before it.
 */
class SharedFetchIT {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final int MONITORS = 60;
    private static final int INTERVAL_SECONDS = 3;

    /** Below half the interval floor: the pipeline would cap a longer one. */
    private static final Duration WINDOW = Duration.ofMillis(1500);

    @TempDir Path checkpoints;

    private static String page(String price) {
        return "<html><body><h1>Shop</h1><span id=price>" + price + "</span></body></html>";
    }

    @Test
    void monitorsOfOneUrlShareOneRequestPerRoundAndEachSeesEveryChange() throws Exception {
        try (PipelineFixture f = new PipelineFixture();
                CheckResultLog log = CheckResultLog.follow(f.resultsTopic)) {
            f.site.page("/product", page("$10"));
            List<MonitorSpec> specs =
                    IntStream.range(0, MONITORS)
                            .mapToObj(
                                    i ->
                                            spec(
                                                    UUID.randomUUID(),
                                                    1,
                                                    INTERVAL_SECONDS,
                                                    Condition.anyChange(),
                                                    f.site.url("/product")))
                            .toList();
            List<UUID> ids = specs.stream().map(MonitorSpec::id).toList();
            f.upsertAll(specs);

            Configuration conf = f.config(checkpoints);
            conf.set(PipelineOptions.MIN_INTERVAL_SECONDS, INTERVAL_SECONDS);
            conf.set(FetchOptions.SHARED_WINDOW, WINDOW);
            // A real politeness delay: without riders, 60 checks of one host could not all go
            // in one 3 s round.
            conf.set(FetchOptions.MIN_DELAY_PER_HOST, Duration.ofSeconds(1));
            conf.set(PipelineOptions.FIRST_CHECK_SPREAD, Duration.ofMillis(300));
            JobClient job =
                    MonitorPipelineJob.start(f.environment(conf), conf, PipelineFixture.noLlm());
            try {
                f.awaitBaselines(ids);
                for (String price : List.of("$11", "$12")) {
                    f.site.page("/product", page(price));
                    // Every monitor gets its own CHANGED result with its own diff.
                    await().atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(200))
                            .until(
                                    () ->
                                            ids.stream()
                                                    .allMatch(
                                                            id ->
                                                                    log.of(id).stream()
                                                                            .anyMatch(
                                                                                    r ->
                                                                                            r
                                                                                                                    .outcome()
                                                                                                            == CheckOutcome
                                                                                                                    .CHANGED
                                                                                                    && r.diff()
                                                                                                            .contains(
                                                                                                                    "+ "
                                                                                                                            + price))));
                }
                int requests = f.site.hits("/product");
                List<CheckResult> results = log.of(ids);
                int rounds = ids.stream().mapToInt(id -> log.of(id).size()).max().orElseThrow();

                // About one request per round, where each of 60 monitors alone would cost one
                // each. On a loaded machine a round's checks can spread past the 1.5 s window and
                // split it in two (seen: 12 requests in 8 rounds), so the bound is two per round.
                assertThat(rounds).isGreaterThanOrEqualTo(3);
                assertThat(requests).isBetween(rounds - 1, 2 * rounds);
                assertThat(results).hasSizeGreaterThanOrEqualTo(MONITORS * (rounds - 1));
                assertThat(results)
                        .allSatisfy(
                                r -> {
                                    assertThat(r.outcome()).isNotEqualTo(CheckOutcome.ERROR);
                                    // never a response that started before its check was due
                                    // minus the window
                                    assertThat(r.startedAt())
                                            .isAfterOrEqualTo(r.scheduledAt().minus(WINDOW));
                                });
                assertThat(
                                ids.stream()
                                        .mapToLong(
                                                id ->
                                                        log.of(id).stream()
                                                                .filter(
                                                                        r ->
                                                                                r.outcome()
                                                                                        == CheckOutcome
                                                                                                .CHANGED)
                                                                .count()))
                        .allMatch(n -> n == 2);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> f.alertsInDb().size() == 2 * MONITORS);
            } finally {
                job.cancel().get();
            }
        }
    }
}
