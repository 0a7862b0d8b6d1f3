package dev.flinkwatch.api.monitors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorSpecValidator;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.model.Notify;
import dev.flinkwatch.model.Source;
import dev.flinkwatch.model.ValidationLimits;
import dev.flinkwatch.model.net.AddressPolicy;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MonitorSpecChecksTest {
    private final MonitorSpecChecks checks =
            new MonitorSpecChecks(
                    new MonitorSpecValidator(ValidationLimits.DEFAULTS), AddressPolicy.defaults());

    @Test
    void publicHostNamesPass() {
        assertThat(checks.problems(spec("https://shop.example/widget", "https://hooks.example/x")))
                .isEmpty();
    }

    @Test
    void ipLiteralsInRefusedRangesAreRefusedWithTheReason() {
        assertThat(checks.problems(spec("http://127.0.0.1/", null)))
                .containsOnlyKeys("sources[0].url")
                .hasEntrySatisfying(
                        "sources[0].url", m -> assertThat(m).contains("loopback", "127.0.0.0/8"));
        assertThat(checks.problems(spec("http://[fd00::1]/", null)))
                .containsOnlyKeys("sources[0].url");
        assertThat(checks.problems(spec("http://0177.0.0.1/", null)))
                .containsOnlyKeys("sources[0].url");
        assertThat(checks.problems(spec("https://shop.example/", "http://169.254.169.254/")))
                .containsOnlyKeys("notify.webhookUrl");
    }

    @Test
    void aPageOnAPortOtherThan80Or443IsRefusedNamingTheField() {
        assertThat(checks.problems(spec("http://shop.example:25/", null)))
                .containsOnlyKeys("sources[0].url")
                .hasEntrySatisfying(
                        "sources[0].url",
                        m ->
                                assertThat(m)
                                        .isEqualTo(
                                                "must use an allowed port: port 25 is not allowed"
                                                        + " (allowed: 80, 443)"));
        assertThat(checks.problems(spec("https://shop.example:443/", null))).isEmpty();
        MonitorSpecChecks extra =
                new MonitorSpecChecks(
                        new MonitorSpecValidator(ValidationLimits.DEFAULTS),
                        AddressPolicy.defaults().withAllowedPorts(List.of(8080)));
        assertThat(extra.problems(spec("http://shop.example:8080/", null))).isEmpty();
    }

    @Test
    void theAllowListReadmitsAddressesForLocalUse() {
        MonitorSpecChecks local =
                new MonitorSpecChecks(
                        new MonitorSpecValidator(ValidationLimits.DEFAULTS),
                        AddressPolicy.defaults()
                                .withAllowList(List.of("127.0.0.0/8", "localhost")));
        assertThat(local.problems(spec("http://127.0.0.1:8080/page", "http://localhost:9000/hook")))
                .isEmpty();
    }

    @Test
    void theModelsValidationComesFirstAndUnstorableTextIsReported() {
        MonitorSpec invalid =
                new MonitorSpec(
                        UUID.randomUUID(),
                        UUID.randomUUID(),
                        1,
                        "a\u0000b",
                        List.of(Source.of("ftp://x.example/")),
                        10,
                        Condition.anyChange(),
                        List.of(),
                        null,
                        MonitorStatus.ACTIVE);
        assertThat(checks.problems(invalid).keySet())
                .containsExactly("sources[0].url", "intervalSeconds", "name");
        assertThat(checks.problems(invalid).get("sources[0].url")).contains("http or https");
    }

    private static MonitorSpec spec(String url, String webhook) {
        return new MonitorSpec(
                UUID.randomUUID(),
                UUID.randomUUID(),
                1,
                "name",
                List.of(Source.of(url)),
                300,
                Condition.anyChange(),
                List.of(),
                webhook == null ? null : Notify.ofWebhook(webhook),
                MonitorStatus.ACTIVE);
    }
}
