package dev.flinkwatch.api.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.api.http.ItemProblem;
import dev.flinkwatch.api.monitors.BatchCreate;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.Source;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The mapping of a realistic Distill.io export (src/test/resources/imports). */
class DistillExportTest {
    static JsonNode fixture() throws IOException {
        try (InputStream in =
                DistillExportTest.class.getResourceAsStream("/imports/distill-export.json")) {
            return ModelCodec.mapper().readTree(in);
        }
    }

    @Test
    void mapsNameUriCssSelectorsAndIntervalAndNotesWhatItLeavesOut() throws IOException {
        DistillExport.Mapped mapped =
                DistillExport.map(fixture(), ImportDefaults.NONE, ImportRoutes.MAX_ITEMS);
        List<BatchCreate.Item> items = mapped.items();
        assertThat(items).hasSize(5);

        assertThat(items.get(0).body()).isNull();
        assertThat(items.get(0).problems())
                .containsOnlyKeys("config.selections[0].frames[0].includes[0].type");
        assertThat(items.get(0).problems().values().iterator().next()).contains("XPath");

        MonitorSpec widget = items.get(1).body();
        assertThat(widget.name()).isEqualTo("Widget price");
        assertThat(widget.sources())
                .containsExactly(new Source("https://shop.example/widget", "#price"));
        assertThat(widget.intervalSeconds()).isEqualTo(3600);
        assertThat(widget.condition()).isEqualTo(Condition.anyChange());

        MonitorSpec releases = items.get(2).body();
        assertThat(releases.sources().get(0).selector()).isEqualTo("h2.release, div.release-date");
        assertThat(releases.intervalSeconds()).isEqualTo(86400);

        assertThat(items.get(3).body().sources().get(0).selector()).isEqualTo(".component-status");
        assertThat(items.get(3).body().intervalSeconds()).isEqualTo(600);

        MonitorSpec jobs = items.get(4).body();
        assertThat(jobs.name()).isEqualTo("https://jobs.example.com/openings");
        assertThat(jobs.sources())
                .containsExactly(new Source("https://jobs.example.com/openings", null));
        assertThat(jobs.intervalSeconds()).isEqualTo(ImportDefaults.DEFAULT_INTERVAL_SECONDS);

        assertThat(mapped.notes())
                .extracting(ItemProblem::index, ItemProblem::field)
                .contains(
                        org.assertj.core.groups.Tuple.tuple(0, "tags"),
                        org.assertj.core.groups.Tuple.tuple(
                                1, "config.selections[0].frames[0].excludes"),
                        org.assertj.core.groups.Tuple.tuple(1, "tags"),
                        org.assertj.core.groups.Tuple.tuple(2, "config.selections[0].dynamic"),
                        org.assertj.core.groups.Tuple.tuple(3, "config.selections"),
                        org.assertj.core.groups.Tuple.tuple(3, "config.selections[0].frames"),
                        org.assertj.core.groups.Tuple.tuple(4, "schedule"));
    }

    @Test
    void queryDefaultsFillWhatTheExportLeavesOpen() throws IOException {
        ImportDefaults defaults =
                new ImportDefaults(
                        "main", 900, Condition.contains("In stock", false), null, null, null);
        List<BatchCreate.Item> items =
                DistillExport.map(fixture(), defaults, ImportRoutes.MAX_ITEMS).items();
        assertThat(items.get(1).body().sources().get(0).selector()).isEqualTo("#price");
        assertThat(items.get(1).body().intervalSeconds()).isEqualTo(3600);
        assertThat(items.get(4).body().sources().get(0).selector()).isEqualTo("main");
        assertThat(items.get(4).body().intervalSeconds()).isEqualTo(900);
        assertThat(items.get(4).body().condition())
                .isEqualTo(Condition.contains("In stock", false));
    }

    @Test
    void hostileShapesAreItemProblemsOrA400NamingTheField() throws IOException {
        JsonNode export =
                ModelCodec.mapper()
                        .readTree(
                                "{\"data\": [42, {\"name\": \"x\"},"
                                        + " {\"uri\": \"https://a.example/\", \"config\": \"{not"
                                        + " json\"}]}");
        List<BatchCreate.Item> items =
                DistillExport.map(export, ImportDefaults.NONE, ImportRoutes.MAX_ITEMS).items();
        assertThat(items.get(0).problems()).containsOnlyKeys("$");
        assertThat(items.get(1).problems()).containsOnlyKeys("uri");
        assertThat(items.get(2).problems()).containsOnlyKeys("config");

        assertThatThrownBy(
                        () ->
                                DistillExport.map(
                                        ModelCodec.mapper().readTree("{\"data\": {}}"),
                                        ImportDefaults.NONE,
                                        10))
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e ->
                                assertThat(e.fields())
                                        .isEqualTo(Map.of("data", e.fields().get("data"))));
    }
}
