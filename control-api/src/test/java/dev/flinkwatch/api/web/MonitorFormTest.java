package dev.flinkwatch.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.model.ComparisonOp;
import dev.flinkwatch.model.ConditionType;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorSpecValidator;
import dev.flinkwatch.model.ValidationLimits;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MonitorFormTest {

    @Test
    void aPostedFormIsTheApisRequestBody() {
        MonitorForm form =
                MonitorForm.fromPost(
                        Map.of(
                                "name", List.of(" Price "),
                                "url",
                                        List.of(
                                                "https://shop.example/a",
                                                "",
                                                "https://shop.example/b"),
                                "selector", List.of("#price", "", ""),
                                "intervalSeconds", List.of("300"),
                                "conditionType", List.of("number"),
                                "conditionOp", List.of("<"),
                                "conditionValue", List.of("50"),
                                "conditionText", List.of("ignored for numbers"),
                                "ignore", List.of("\\d+ viewing\r\n\n  sale  ")));
        MonitorForm.Parsed parsed = form.toBody();
        assertThat(parsed.problems()).isEmpty();
        MonitorSpec body = parsed.body();
        assertThat(body.name()).isEqualTo("Price");
        assertThat(body.sources()).hasSize(2);
        assertThat(body.sources().get(0).selector()).isEqualTo("#price");
        assertThat(body.sources().get(1).selector()).isNull();
        assertThat(body.condition().type()).isEqualTo(ConditionType.NUMBER);
        assertThat(body.condition().op()).isEqualTo(ComparisonOp.LT);
        assertThat(body.condition().value()).isEqualTo(50.0);
        assertThat(body.condition().text()).isNull();
        assertThat(body.ignore()).containsExactly("\\d+ viewing", "sale");
        assertThat(new MonitorSpecValidator(new ValidationLimits(60)).validate(withIds(body)))
                .isEmpty();
    }

    @Test
    void eachRowSaysHowItsPageIsReadAndAStoredBrowserSourceKeepsItsModeOnEdit() {
        MonitorForm form =
                MonitorForm.fromPost(
                        Map.of(
                                "name", List.of("JS"),
                                "url",
                                        List.of(
                                                "https://shop.example/a",
                                                "https://shop.example/b",
                                                "https://shop.example/c"),
                                "selector", List.of("", "", ""),
                                "read", List.of("browser", "browser+screenshot", "http"),
                                "intervalSeconds", List.of("300"),
                                "conditionType", List.of("any_change")));
        MonitorSpec body = form.toBody().body();
        assertThat(body.sources().get(0).rendered()).isTrue();
        assertThat(body.sources().get(0).wantsScreenshot()).isFalse();
        assertThat(body.sources().get(1).wantsScreenshot()).isTrue();
        assertThat(body.sources().get(2).rendered()).isFalse();
        // the edit form of those sources posts the same modes back
        assertThat(body.sources().stream().map(s -> MonitorForm.SourceRow.of(s).read()))
                .containsExactly("browser", "browser+screenshot", "http");

        MonitorForm.Parsed bad =
                MonitorForm.fromPost(
                                Map.of(
                                        "url", List.of("https://shop.example/a"),
                                        "read", List.of("chrome"),
                                        "intervalSeconds", List.of("300"),
                                        "conditionType", List.of("any_change")))
                        .toBody();
        assertThat(bad.problems()).containsKey("sources[0].render");
        assertThat(MonitorForm.formField("sources[0].render")).isEqualTo("source-0-read");
    }

    @Test
    void unparseableNumbersAreReportedUnderTheApisFieldPaths() {
        MonitorForm form =
                MonitorForm.fromPost(
                        Map.of(
                                "intervalSeconds", List.of("soon"),
                                "conditionType", List.of("number"),
                                "conditionValue", List.of("fifty")));
        assertThat(form.toBody().problems()).containsOnlyKeys("intervalSeconds", "condition.value");
        assertThat(
                        MonitorForm.fromPost(Map.of("conditionType", List.of("<script>")))
                                .toBody()
                                .problems())
                .containsKey("condition.type");
    }

    @Test
    void apiFieldPathsMapToTheFormsInputs() {
        assertThat(MonitorForm.formField("sources[0].url")).isEqualTo("source-0-url");
        assertThat(MonitorForm.formField("sources[2].selector")).isEqualTo("source-2-selector");
        assertThat(MonitorForm.formField("sources[1]")).isEqualTo("source-1-url");
        assertThat(MonitorForm.formField("sources")).isEqualTo("source-0-url");
        assertThat(MonitorForm.formField("ignore[3]")).isEqualTo("ignore");
        assertThat(MonitorForm.formField("condition.pattern")).isEqualTo("conditionPattern");
        assertThat(MonitorForm.formField("condition")).isEqualTo("conditionType");
        assertThat(MonitorForm.formField("notify.channels")).isNull();
        assertThat(MonitorForm.byFormField(Map.of("notify.channels", "unknown channel")))
                .containsEntry("", "notify.channels: unknown channel");
    }

    @Test
    void aStoredMonitorFillsTheFormAndKeepsASpareRow() {
        MonitorForm blank = MonitorForm.blank();
        assertThat(blank.rows()).hasSize(1);
        assertThat(blank.toBody().body().sources()).isEmpty();
    }

    private static MonitorSpec withIds(MonitorSpec body) {
        return new MonitorSpec(
                java.util.UUID.randomUUID(),
                java.util.UUID.randomUUID(),
                1,
                body.name(),
                body.sources(),
                body.intervalSeconds(),
                body.condition(),
                body.ignore(),
                body.notification(),
                dev.flinkwatch.model.MonitorStatus.ACTIVE);
    }
}
