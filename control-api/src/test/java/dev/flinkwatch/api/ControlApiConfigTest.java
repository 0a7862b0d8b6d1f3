package dev.flinkwatch.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ControlApiConfigTest {
    private static final String TOKEN = "0123456789abcdef-token";

    @Test
    void theBuilderStartsFromTheDocumentedDefaults() {
        ControlApiConfig config = ControlApiConfig.builder(TOKEN).build();
        assertThat(config.bindHost()).isEqualTo(ControlApiConfig.DEFAULT_BIND_HOST);
        assertThat(config.relayBatchSize()).isEqualTo(500);
        assertThat(config.outboxRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(config.addressPolicy().allowList()).isEmpty();
        assertThat(config.writeLimit()).isEqualTo(ControlApiConfig.DEFAULT_WRITE_LIMIT);
        assertThat(config.readLimit()).isEqualTo(ControlApiConfig.DEFAULT_READ_LIMIT);
        assertThat(config.readLimit().perMinute()).isGreaterThan(config.writeLimit().perMinute());
        assertThat(config.deletedMonitorRetention()).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void neverPrintsTheAdminToken() {
        assertThat(ControlApiConfig.builder(TOKEN).build().toString())
                .doesNotContain(TOKEN)
                .contains("<redacted>");
    }

    @Test
    void refusesUnusableValues() {
        assertThatThrownBy(() -> ControlApiConfig.builder("short").build())
                .hasMessageContaining("adminToken");
        assertThatThrownBy(() -> ControlApiConfig.builder(TOKEN).port(70000).build())
                .hasMessageContaining("port");
        assertThatThrownBy(() -> ControlApiConfig.builder(TOKEN).monitorsTopic("bad topic").build())
                .hasMessageContaining("monitorsTopic");
        assertThatThrownBy(() -> ControlApiConfig.builder(TOKEN).defaultMonitorQuota(-1).build())
                .hasMessageContaining("defaultMonitorQuota");
        assertThatThrownBy(
                        () ->
                                ControlApiConfig.builder(TOKEN)
                                        .relayPollInterval(Duration.ZERO)
                                        .build())
                .hasMessageContaining("relayPollInterval");
        assertThatThrownBy(() -> ControlApiConfig.builder(TOKEN).writeLimit(10, 0).build())
                .hasMessageContaining("writeLimit")
                .hasMessageContaining("burst");
        assertThatThrownBy(() -> ControlApiConfig.builder(TOKEN).readLimit(-1, 5).build())
                .hasMessageContaining("readLimit");
        assertThatThrownBy(
                        () ->
                                ControlApiConfig.builder(TOKEN)
                                        .deletedMonitorRetention(Duration.ofSeconds(-1))
                                        .build())
                .hasMessageContaining("deletedMonitorRetention");
        assertThatThrownBy(() -> ControlApiConfig.builder(TOKEN).purgeBatchSize(0).build())
                .hasMessageContaining("purgeBatchSize");
    }

    @Test
    void aRateOfZeroDisablesALimitWhateverItsBurst() {
        ControlApiConfig config = ControlApiConfig.builder(TOKEN).writeLimit(0, 0).build();
        assertThat(config.writeLimit().perMinute()).isZero();
    }
}
