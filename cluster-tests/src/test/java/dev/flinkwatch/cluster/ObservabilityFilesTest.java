package dev.flinkwatch.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The platform's alert rules and Grafana dashboard (deploy/): rules pass {@code promtool check
 * rules} (Debian's prometheus package; {@code .ci/run} installs it), and without promtool at least
 * have the structure Prometheus requires. That their series exist is MetricsIT's part.
 */
class ObservabilityFilesTest {
    private static final Path RULES = Repo.root().resolve("deploy/prometheus/rules.yaml");
    private static final Path DASHBOARD =
            Repo.root().resolve("deploy/grafana/flinkwatch-dashboard.json");
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    @Test
    void rulesPassPromtool() throws Exception {
        if (!Files.isExecutable(PROMTOOL)) {
            return; // structure only (below); .ci/run installs promtool
        }
        Process p =
                new ProcessBuilder(PROMTOOL.toString(), "check", "rules", RULES.toString())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("SUCCESS");
    }

    @Test
    void rulesHaveTheStructurePrometheusRequires() throws Exception {
        JsonNode rules = new YAMLMapper().readTree(RULES.toFile());
        List<String> alerts = new ArrayList<>();
        for (JsonNode group : rules.path("groups")) {
            assertThat(group.path("name").asText()).isNotBlank();
            for (JsonNode rule : group.path("rules")) {
                assertThat(rule.path("alert").asText()).isNotBlank();
                assertThat(rule.path("expr").asText()).as(rule.toString()).isNotBlank();
                assertThat(rule.path("labels").path("severity").asText())
                        .isIn("info", "warning", "critical");
                assertThat(rule.path("annotations").path("summary").asText()).isNotBlank();
                alerts.add(rule.path("alert").asText());
            }
        }
        assertThat(alerts)
                .doesNotHaveDuplicates()
                .contains(
                        "FlinkwatchCheckpointsFailing",
                        "FlinkwatchScheduleLate",
                        "FlinkwatchMonitorsLag",
                        "FlinkwatchOutboxBacklogOld",
                        "FlinkwatchLlmErrorRate",
                        "FlinkwatchSinkWriteFailures");
    }

    @Test
    void dashboardPanelsQueryPrometheus() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("uid").asText()).isEqualTo("flinkwatch-platform");
        int queries = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText()).isNotBlank();
                queries++;
            }
        }
        assertThat(queries).isGreaterThan(30);
    }
}
