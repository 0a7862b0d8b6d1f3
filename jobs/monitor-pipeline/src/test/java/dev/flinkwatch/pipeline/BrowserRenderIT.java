package dev.flinkwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import dev.flinkwatch.browser.BrowserConfig;
import dev.flinkwatch.browser.BrowserOptions;
import dev.flinkwatch.browser.BrowserService;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.model.Render;
import dev.flinkwatch.model.Source;
import dev.flinkwatch.render.RenderOptions;
import dev.flinkwatch.testing.FlinkTestCluster;
import dev.flinkwatch.testing.LocalSite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Browser sources end to end: the pipeline on a MiniCluster sends them to the real browser service
 * (Playwright on Debian's Chromium), whose rendered DOM goes through the same extraction and change
 * detection as plain pages. The page's price exists only after its script fetched and inserted it,
 * so a plain HTTP source of the same page never sees it.
 */
class BrowserRenderIT {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    @TempDir Path checkpoints;

    /** An application shell: the price comes from /api/price, inserted by script. */
    private static final String SHELL =
            "<html><body><h1>Widget</h1><div id=app>Loading...</div><script>"
                    + "fetch('/api/price').then(r => r.json()).then(d => {"
                    + " document.getElementById('app').innerHTML ="
                    + " '<span id=price>' + d.price + '</span>'; });"
                    + "</script></body></html>";

    private static MonitorSpec monitor(Source source) {
        UUID id = UUID.randomUUID();
        return new MonitorSpec(
                id,
                TestSpecs.TENANT,
                1,
                "monitor " + id.toString().substring(0, 8),
                List.of(source),
                1,
                Condition.anyChange(),
                List.of(),
                null,
                MonitorStatus.ACTIVE);
    }

    @Test
    void textThatOnlyScriptsBuildIsRenderedAndItsChangeDetectedWhilePlainHttpNeverSeesIt()
            throws Exception {
        try (PipelineFixture f = new PipelineFixture()) {
            AtomicReference<String> price = new AtomicReference<>("$59.99");
            f.site.page("/widget", SHELL);
            f.site.handle("/api/price", exchange -> json(exchange, price.get()));
            String url = f.site.url("/widget");
            MonitorSpec rendered = monitor(Source.browser(url, "#price"));
            MonitorSpec withShots = monitor(new Source(url, "#price", Render.BROWSER, true));
            MonitorSpec plain = monitor(new Source(url, null));
            MonitorSpec plainPrice = monitor(new Source(url, "#price"));
            // robots.txt binds the browser as it binds the plain fetcher
            f.site.page(
                    "/robots.txt",
                    "User-agent: *\nDisallow: /private/\n",
                    "text/plain",
                    StandardCharsets.UTF_8);
            f.site.page("/private/widget", SHELL);
            MonitorSpec disallowed =
                    monitor(Source.browser(f.site.url("/private/widget"), "#price"));
            f.upsertAll(List.of(rendered, withShots, plain, plainPrice, disallowed));

            Configuration conf = f.config(checkpoints);
            Configuration serviceConf = new Configuration(conf);
            serviceConf.set(BrowserOptions.PORT, 0);
            serviceConf.set(BrowserOptions.MAX_CONCURRENT, 2);
            try (BrowserService browser = BrowserService.start(BrowserConfig.from(serviceConf))) {
                conf.set(RenderOptions.SERVICE_URL, browser.baseUrl());
                JobClient job =
                        MonitorPipelineJob.start(
                                f.environment(conf), conf, PipelineFixture.noLlm());
                try {
                    f.awaitBaselines(
                            List.of(
                                    rendered.id(),
                                    withShots.id(),
                                    plain.id(),
                                    plainPrice.id(),
                                    disallowed.id()));
                    assertThat(lastError(f, disallowed.id())).startsWith("ROBOTS_DISALLOWED");
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> f.statuses().get(rendered.id()).equals("UNCHANGED"));
                    assertThat(f.statuses().get(withShots.id())).isIn("FIRST", "UNCHANGED");
                    // plain HTTP sees the shell: no price element, and the whole text is the
                    // shell's
                    assertThat(f.checkRuns(plainPrice.id(), "ERROR")).isPositive();
                    assertThat(lastError(f, plainPrice.id())).startsWith("SELECTOR_NO_MATCH");

                    price.set("$45.00");
                    await().atMost(Duration.ofSeconds(90))
                            .pollInterval(Duration.ofMillis(250))
                            .until(
                                    () ->
                                            f.checkRuns(rendered.id(), "CHANGED") == 1
                                                    && f.checkRuns(withShots.id(), "CHANGED") == 1);
                    assertThat(diffs(f, rendered.id())).containsExactly("- $59.99\n+ $45.00");
                    await().atMost(Duration.ofSeconds(60))
                            .until(
                                    () ->
                                            f.alertsInDb().values().stream()
                                                            .filter("CONDITION_MET"::equals)
                                                            .count()
                                                    == 2);

                    byte[] shot = screenshot(f, withShots.id());
                    assertThat(shot).isNotNull();
                    assertThat(shot.length).isGreaterThan(1000);
                    assertThat(shot[0] & 0xff).isEqualTo(0xff);
                    assertThat(shot[1] & 0xff).isEqualTo(0xd8); // a JPEG
                    assertThat(screenshot(f, rendered.id())).as("not asked for").isNull();

                    // several more checks: the shell never changes for plain HTTP
                    int plainChecks = f.site.hits("/widget");
                    await().atMost(Duration.ofSeconds(30))
                            .until(() -> f.site.hits("/widget") > plainChecks + 6);
                    assertThat(f.checkRuns(plain.id(), "CHANGED")).isZero();
                    assertThat(f.checkRuns(plain.id(), "ERROR")).isZero();
                    assertThat(f.site.hits("/private/widget")).as("never rendered").isZero();
                } finally {
                    job.cancel().get();
                }
            }
        }
    }

    private static void json(HttpExchange exchange, String price) throws java.io.IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        LocalSite.send(
                exchange, 200, ("{\"price\":\"" + price + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static String lastError(PipelineFixture f, UUID monitor) throws Exception {
        try (Connection c = f.db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT last_error FROM monitor_status WHERE monitor_id = ?")) {
            ps.setObject(1, monitor);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static List<String> diffs(PipelineFixture f, UUID monitor) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = f.db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT diff FROM check_runs WHERE monitor_id = ?"
                                        + " AND outcome = 'CHANGED'")) {
            ps.setObject(1, monitor);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static byte[] screenshot(PipelineFixture f, UUID monitor) throws Exception {
        try (Connection c = f.db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT screenshot FROM check_runs WHERE monitor_id = ?"
                                        + " AND outcome = 'CHANGED'")) {
            ps.setObject(1, monitor);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }
}
