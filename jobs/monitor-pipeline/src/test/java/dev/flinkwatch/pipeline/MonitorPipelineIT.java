package dev.flinkwatch.pipeline;

import static dev.flinkwatch.pipeline.TestSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.ComparisonOp;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.model.Source;
import dev.flinkwatch.pipeline.alert.AlertDecider;
import dev.flinkwatch.testing.FlinkTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on a MiniCluster with the real Kafka broker, real PostgreSQL and a local site:
 * monitors arrive through the monitors topic, pages change between checks, and exactly the expected
 * alerts land in PostgreSQL and (read_committed) in Kafka.
 */
class MonitorPipelineIT {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    @TempDir Path checkpoints;

    private static String page(String body) {
        return "<html><body><h1>Shop</h1>" + body + "</body></html>";
    }

    @Test
    void pagesThatChangeRaiseExactlyTheExpectedAlerts() throws Exception {
        try (PipelineFixture f = new PipelineFixture()) {
            f.site.page("/stock", page("<p class=s>Sold out</p>"));
            f.site.page("/news", page("<p>Story one</p>"));
            f.site.page("/price", page("<span id=price>$59.99</span><p>12 people viewing</p>"));
            f.site.page("/deleted", page("<p>Version 1</p>"));
            f.site.page("/static", page("<p>Never changes</p>"));

            MonitorSpec stock =
                    spec(
                            UUID.randomUUID(),
                            1,
                            1,
                            Condition.contains("in stock", true),
                            f.site.url("/stock"));
            MonitorSpec news =
                    spec(UUID.randomUUID(), 1, 1, Condition.anyChange(), f.site.url("/news"));
            MonitorSpec price = priceBelow50(f);
            MonitorSpec deleted =
                    spec(UUID.randomUUID(), 1, 1, Condition.anyChange(), f.site.url("/deleted"));
            MonitorSpec unchanged =
                    spec(UUID.randomUUID(), 1, 1, Condition.anyChange(), f.site.url("/static"));
            // a second monitor of the same page: conditional GETs must not leak between monitors
            MonitorSpec newsToo =
                    spec(UUID.randomUUID(), 1, 1, Condition.anyChange(), f.site.url("/news"));
            for (MonitorSpec s : List.of(stock, news, price, deleted, unchanged, newsToo)) {
                f.upsert(s);
            }

            JobClient job =
                    MonitorPipelineJob.start(
                            f.environment(f.config(checkpoints)),
                            f.config(checkpoints),
                            PipelineFixture.noLlm());
            try {
                f.awaitBaselines(
                        List.of(
                                stock.id(),
                                news.id(),
                                price.id(),
                                deleted.id(),
                                unchanged.id(),
                                newsToo.id()));
                // baselines never alert
                assertThat(f.alertsInDb()).isEmpty();

                f.delete(deleted);
                await().atMost(Duration.ofSeconds(30)).until(() -> hitsSettle(f, "/deleted"));
                int deletedHits = f.site.hits("/deleted");

                f.site.page("/stock", page("<p class=s>In Stock - ships today</p>"));
                f.site.page("/news", page("<p>Story one</p><p>Story two</p>"));
                f.site.page("/price", page("<span id=price>$49.99</span><p>31 people viewing</p>"));
                f.site.page("/deleted", page("<p>Version 2</p>"));

                Set<String> expected =
                        Set.of(
                                conditionAlert(stock, "/stock", f),
                                conditionAlert(news, "/news", f),
                                conditionAlert(newsToo, "/news", f),
                                conditionAlert(price, "/price", f));
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> f.alertsInDb().keySet().containsAll(expected));
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> ids(f.alertsInKafka()).containsAll(expected));

                // several more intervals: conditions stay true, pages stay the same
                Thread.sleep(4_000);
                assertThat(f.alertsInDb()).containsOnlyKeys(expected);
                assertThat(f.alertsInDb().values()).containsOnly(AlertKind.CONDITION_MET.name());
                List<Alert> inKafka = f.alertsInKafka();
                assertThat(ids(inKafka)).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(inKafka).hasSize(expected.size());
                Alert priceAlert =
                        inKafka.stream()
                                .filter(a -> a.monitorId().equals(price.id()))
                                .findFirst()
                                .orElseThrow();
                assertThat(priceAlert.reason()).isEqualTo("the number is 49.99, which is < 50");
                assertThat(priceAlert.diff()).isEqualTo("- $59.99\n+ $49.99");

                // the deleted monitor is no longer checked; the unchanged page never alerted
                assertThat(f.site.hits("/deleted")).isLessThanOrEqualTo(deletedHits + 1);
                assertThat(f.checkRuns(unchanged.id(), "CHANGED")).isZero();
                assertThat(f.checkRuns(news.id(), "CHANGED")).isEqualTo(1);
                assertThat(f.statuses())
                        .containsEntry(unchanged.id(), "UNCHANGED")
                        .containsEntry(newsToo.id(), "UNCHANGED");
                assertThat(f.checkRuns(newsToo.id(), "ERROR")).isZero();
                assertThat(f.site.hits("/static")).isGreaterThan(5);
            } finally {
                job.cancel().get();
            }
        }
    }

    @Test
    void contentThatComesBackAlertsAgainInBothStores() throws Exception {
        try (PipelineFixture f = new PipelineFixture()) {
            f.site.page("/flip", page("<p>A</p>"));
            f.site.page("/price", page("<span id=price>$60</span>"));
            MonitorSpec flip =
                    spec(UUID.randomUUID(), 1, 1, Condition.anyChange(), f.site.url("/flip"));
            MonitorSpec price = priceBelow50(f);
            f.upsert(flip);
            f.upsert(price);
            JobClient job =
                    MonitorPipelineJob.start(
                            f.environment(f.config(checkpoints)),
                            f.config(checkpoints),
                            PipelineFixture.noLlm());
            try {
                f.awaitBaselines(List.of(flip.id(), price.id()));
                // A -> B -> A -> B and 60 -> 45 -> 60 -> 45: each step waits for the one before
                String[][] steps = {{"B", "$45"}, {"A", "$60"}, {"B", "$45"}};
                int[] expected = {2, 3, 5};
                for (int i = 0; i < steps.length; i++) {
                    f.site.page("/flip", page("<p>" + steps[i][0] + "</p>"));
                    f.site.page("/price", page("<span id=price>" + steps[i][1] + "</span>"));
                    int want = expected[i];
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> f.alertsInDb().size() == want);
                    // one step per interval at least, so the next change is a separate check
                    awaitMoreHits(f, "/flip", 2);
                    awaitMoreHits(f, "/price", 2);
                }
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> f.alertsInKafka().size() == 5);
                List<Alert> inKafka = f.alertsInKafka();
                assertThat(ids(inKafka)).hasSize(5).isEqualTo(f.alertsInDb().keySet());
                assertThat(inKafka).filteredOn(al -> al.monitorId().equals(flip.id())).hasSize(3);
                assertThat(inKafka).filteredOn(al -> al.monitorId().equals(price.id())).hasSize(2);
            } finally {
                job.cancel().get();
            }
        }
    }

    @Test
    void selectorChangesAndReAddedSourcesOnAnEtagServerTakeNewBaselines() throws Exception {
        try (PipelineFixture f = new PipelineFixture()) {
            f.site.page("/sel", page("<p id=a>A1</p><p id=b>B1</p>"));
            f.site.page("/other", page("<p>Other</p>"));
            MonitorSpec v1 =
                    withSources(UUID.randomUUID(), 1, new Source(f.site.url("/sel"), "#a"));
            f.upsert(v1);
            JobClient job =
                    MonitorPipelineJob.start(
                            f.environment(f.config(checkpoints)),
                            f.config(checkpoints),
                            PipelineFixture.noLlm());
            try {
                f.awaitBaselines(List.of(v1.id()));
                awaitMoreHits(f, "/sel", 3); // conditional GETs answered 304

                // a new selector: the server would answer 304 to the old validators
                f.upsert(withSources(v1.id(), 2, new Source(f.site.url("/sel"), "#b")));
                awaitMoreHits(f, "/sel", 3);
                f.site.page("/sel", page("<p id=a>A1</p><p id=b>B2</p>"));
                await().atMost(Duration.ofSeconds(60)).until(() -> f.alertsInDb().size() == 1);

                // removed, then added back: a new baseline again, and a new alert id
                f.upsert(withSources(v1.id(), 3, new Source(f.site.url("/other"), null)));
                awaitMoreHits(f, "/other", 2);
                f.upsert(withSources(v1.id(), 4, new Source(f.site.url("/sel"), "#b")));
                awaitMoreHits(f, "/sel", 3);
                f.site.page("/sel", page("<p id=a>A1</p><p id=b>B3</p>"));
                await().atMost(Duration.ofSeconds(60)).until(() -> f.alertsInDb().size() == 2);
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> f.alertsInKafka().size() == 2);

                List<Alert> inKafka = f.alertsInKafka();
                assertThat(inKafka)
                        .extracting(Alert::diff)
                        .containsExactly("- B1\n+ B2", "- B2\n+ B3");
                assertThat(ids(inKafka)).isEqualTo(f.alertsInDb().keySet());
                assertThat(f.checkRuns(v1.id(), "ERROR"))
                        .as("no check without a baseline")
                        .isZero();
            } finally {
                job.cancel().get();
            }
        }
    }

    /** A number condition "< 50" on the #price element of /price. */
    private static MonitorSpec priceBelow50(PipelineFixture f) {
        return new MonitorSpec(
                UUID.randomUUID(),
                TestSpecs.TENANT,
                1,
                "price",
                List.of(new Source(f.site.url("/price"), "#price")),
                1,
                Condition.number(ComparisonOp.LT, 50),
                List.of(),
                null,
                MonitorStatus.ACTIVE);
    }

    private static MonitorSpec withSources(UUID id, long version, Source... sources) {
        return new MonitorSpec(
                id,
                TestSpecs.TENANT,
                version,
                "selector",
                List.of(sources),
                1,
                Condition.anyChange(),
                List.of(),
                null,
                MonitorStatus.ACTIVE);
    }

    private static void awaitMoreHits(PipelineFixture f, String path, int more) {
        int before = f.site.hits(path);
        await().atMost(Duration.ofSeconds(30)).until(() -> f.site.hits(path) >= before + more);
    }

    /** True once a path has not been requested for three seconds. */
    private static boolean hitsSettle(PipelineFixture f, String path) throws InterruptedException {
        int before = f.site.hits(path);
        Thread.sleep(3_000);
        return f.site.hits(path) == before;
    }

    /** The id of the first CONDITION_MET alert (episode 1) of a source. */
    private static String conditionAlert(MonitorSpec spec, String path, PipelineFixture f) {
        return Alert.idFor(
                AlertKind.CONDITION_MET,
                spec.id(),
                f.site.url(path),
                AlertDecider.conditionEpisode(0, 1));
    }

    private static Set<String> ids(List<Alert> alerts) {
        return alerts.stream().map(Alert::alertId).collect(Collectors.toSet());
    }
}
