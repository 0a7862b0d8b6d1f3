package dev.flinkwatch.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.testing.HeadlessChromium;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real browser (headless Debian Chromium; {@code .ci/run} installs it) opens the Flink dashboard
 * of a running local stack and finds the monitor pipeline RUNNING. The screenshot is kept in {@code
 * target/flink-dashboard.png}.
 */
class DashboardBrowserIT {
    private static final Path CHROMIUM = HeadlessChromium.EXECUTABLE;

    @TempDir Path dataDir;
    @TempDir Path profile;

    @Test
    void dashboardShowsThePipelineRunning() throws Exception {
        assertThat(CHROMIUM).as("Debian chromium (installed by .ci/run)").isExecutable();
        try (LocalStack stack = LocalStack.start(EndToEndIT.options(dataDir))) {
            stack.awaitReady(Duration.ofSeconds(120));
            String page = stack.dashboardUrl() + "/#/job/running";

            String dom = chromium(List.of("--dump-dom", page));
            assertThat(dom).contains("monitor-pipeline").contains("RUNNING");

            Path screenshot = Path.of("target", "flink-dashboard.png").toAbsolutePath();
            Files.deleteIfExists(screenshot);
            chromium(List.of("--screenshot=" + screenshot, "--window-size=1440,900", page));
            assertThat(screenshot).exists();
            assertThat(Files.size(screenshot)).isGreaterThan(10_000);
        }
    }

    /** Runs headless Chromium once with the shared flags; returns its stdout. */
    private String chromium(List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(CHROMIUM.toString());
        command.addAll(HeadlessChromium.flags(profile));
        command.addAll(
                List.of(
                        // let the dashboard's scripts fetch the job list before the page is read
                        // (a longer budget never settles: the dashboard polls the REST API)
                        "--virtual-time-budget=5000", "--run-all-compositor-stages-before-draw"));
        command.addAll(args);
        Process p =
                new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
