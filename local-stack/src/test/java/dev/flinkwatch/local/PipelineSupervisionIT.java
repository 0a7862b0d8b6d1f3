package dev.flinkwatch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flinkwatch.testing.LocalSite;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline job fails terminally (the test-only fault switch fails every check while its file
 * exists, and the restart strategy is told to give up after one restart): {@code /readyz} answers
 * 503 with the cause while it is down, the stack resubmits it from the retained checkpoint, and
 * once the fault is gone the job runs again from its old state (no new baseline) and {@code
 * /readyz} is 200.
 */
class PipelineSupervisionIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir Path dataDir;
    @TempDir Path switches;

    @Test
    void aTerminallyFailedJobIsReportedAndResubmittedFromItsCheckpoint() throws Exception {
        Path fault = switches.resolve("fail-now");
        Configuration options = EndToEndIT.options(dataDir);
        options.set(LocalStackOptions.TEST_FAULT_FILE, fault.toString());
        options.set(LocalStackOptions.SUPERVISOR_INITIAL_BACKOFF, Duration.ofSeconds(1));
        options.set(LocalStackOptions.SUPERVISOR_MAX_BACKOFF, Duration.ofSeconds(2));
        options.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, 1);
        options.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                Duration.ofMillis(200));

        try (LocalSite site = LocalSite.start();
                LocalStack stack = LocalStack.start(options)) {
            site.page("/page", "<p>steady</p>");
            stack.awaitReady(Duration.ofSeconds(120));
            StackClient api = new StackClient(stack.apiUrl());
            api.createTenant(stack.adminToken(), "supervised");
            String id =
                    api.post(
                                    "/v1/monitors",
                                    "{\"name\":\"m\",\"sources\":[{\"url\":\""
                                            + site.url("/page")
                                            + "\"}],\"intervalSeconds\":1,"
                                            + "\"condition\":{\"type\":\"any_change\"}}",
                                    201)
                            .path("id")
                            .asText();
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> api.get("/v1/monitors/" + id).path("lastOutcome").isTextual());
            // the baseline is in a retained checkpoint before the fault
            RetainedCheckpoints checkpoints =
                    new RetainedCheckpoints(dataDir.resolve("checkpoints"));
            Instant baselined = Instant.now();
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(
                            () ->
                                    checkpoints.latest().isPresent()
                                            && Files.getLastModifiedTime(
                                                            checkpoints
                                                                    .latest()
                                                                    .get()
                                                                    .resolve("_metadata"))
                                                    .toInstant()
                                                    .isAfter(baselined));
            String firstJob = stack.restoredFrom();
            assertThat(firstJob).as("first start has nothing to restore").isNull();

            Files.writeString(fault, "on");
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(100))
                    .until(
                            () -> {
                                HttpResponse<String> r = readyz(stack);
                                return r.statusCode() == 503
                                        && r.body().contains("pipeline job failed at")
                                        && r.body().contains("test fault switch is on");
                            });

            Files.delete(fault);
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> readyz(stack).statusCode() == 200);
            assertThat(stack.restoredFrom())
                    .as("resubmitted from a retained checkpoint")
                    .isNotNull()
                    .contains("chk-");

            // the resubmitted job continues from the checkpointed baseline: never FIRST again
            Instant recovered = Instant.now();
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(
                            () -> {
                                String last =
                                        api.get("/v1/monitors/" + id)
                                                .path("lastCheckAt")
                                                .asText(null);
                                return last != null && Instant.parse(last).isAfter(recovered);
                            });
            assertThat(api.get("/v1/monitors/" + id).path("lastOutcome").asText())
                    .isEqualTo("UNCHANGED");
            assertThat(readyz(stack).statusCode()).isEqualTo(200);
        }
    }

    private static HttpResponse<String> readyz(LocalStack stack) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/readyz"))
                        .header("X-Admin-Token", stack.adminToken())
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
