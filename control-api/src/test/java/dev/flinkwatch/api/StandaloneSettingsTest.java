package dev.flinkwatch.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StandaloneSettingsTest {
    private static final String TOKEN = "a-long-enough-admin-token";

    @Test
    void defaultsNeedOnlyTheAdminToken() {
        StandaloneSettings.Parsed parsed =
                StandaloneSettings.parse(Map.of("MONITOR_ADMIN_TOKEN", TOKEN), new String[0]);
        ControlApiConfig config = parsed.config();
        assertThat(config.bindHost()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.monitorsTopic()).isEqualTo("monitors");
        assertThat(config.minIntervalSeconds()).isEqualTo(60);
        assertThat(config.defaultMonitorQuota()).isEqualTo(1000);
        assertThat(config.addressAllowList()).isEmpty();
        assertThat(config.migrateSchema()).isTrue();
        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/flinkwatch");
    }

    @Test
    void flagsOverrideEnvironmentVariables() {
        StandaloneSettings.Parsed parsed =
                StandaloneSettings.parse(
                        Map.of(
                                "MONITOR_ADMIN_TOKEN", TOKEN,
                                "API_PORT", "9000",
                                "MONITOR_QUOTA", "5",
                                "JDBC_PASSWORD", "s3cret"),
                        new String[] {
                            "--port=9001",
                            "--min-interval-seconds",
                            "10",
                            "--address-allow-list=127.0.0.0/8, localhost",
                            "--relay-poll-ms=250",
                            "--write-rate-per-minute=30",
                            "--write-burst=5",
                            "--read-rate-per-minute=0",
                            "--deleted-monitor-retention-hours=48",
                            "--purge-interval-seconds=30",
                            "--migrate-schema=false"
                        });
        ControlApiConfig config = parsed.config();
        assertThat(config.port()).isEqualTo(9001);
        assertThat(config.defaultMonitorQuota()).isEqualTo(5);
        assertThat(config.minIntervalSeconds()).isEqualTo(10);
        assertThat(config.addressAllowList()).isEqualTo(List.of("127.0.0.0/8", "localhost"));
        assertThat(config.relayPollInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.writeLimit().perMinute()).isEqualTo(30);
        assertThat(config.writeLimit().burst()).isEqualTo(5);
        assertThat(config.readLimit().perMinute()).isZero();
        assertThat(config.deletedMonitorRetention()).isEqualTo(Duration.ofHours(48));
        assertThat(config.purgeInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.migrateSchema()).isFalse();
        assertThat(parsed.jdbcPassword()).isEqualTo("s3cret");
        assertThat(parsed.toString()).doesNotContain("s3cret").doesNotContain(TOKEN);
    }

    @Test
    void invalidSettingsAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> StandaloneSettings.parse(Map.of(), new String[0]))
                .hasMessageContaining("MONITOR_ADMIN_TOKEN");
        Map<String, String> env = Map.of("MONITOR_ADMIN_TOKEN", TOKEN);
        assertThatThrownBy(() -> StandaloneSettings.parse(env, new String[] {"--port=http"}))
                .hasMessageContaining("--port");
        assertThatThrownBy(() -> StandaloneSettings.parse(env, new String[] {"--prot=1"}))
                .hasMessageContaining("unknown option --prot");
        assertThatThrownBy(() -> StandaloneSettings.parse(env, new String[] {"--port"}))
                .hasMessageContaining("needs a value");
        assertThatThrownBy(
                        () ->
                                StandaloneSettings.parse(
                                        env, new String[] {"--min-interval-seconds=0"}))
                .hasMessageContaining("minIntervalSeconds");
        assertThatThrownBy(
                        () ->
                                StandaloneSettings.parse(
                                        env, new String[] {"--address-allow-list=not a cidr"}))
                .hasMessageContaining("not a CIDR");
        assertThatThrownBy(
                        () ->
                                StandaloneSettings.parse(
                                        Map.of("MONITOR_ADMIN_TOKEN", "short"), new String[0]))
                .hasMessageContaining("adminToken");
    }

    @Test
    void usageListsEveryOption() {
        String usage = StandaloneSettings.usage();
        for (StandaloneSettings.Option o : StandaloneSettings.Option.values()) {
            assertThat(usage).contains(o.env).contains(o.flag);
        }
    }
}
