package dev.flinkwatch.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ChannelStore} on a real PostgreSQL: tenant scoping, encryption bound to the row, the
 * delivery bookkeeping, and {@link DeliveryStore#enqueue} finding a monitor's implicit webhook
 * channel.
 */
class ChannelStoreIT {
    private static DataSource db;
    private static SecretBox box;
    private static ChannelStore store;

    @BeforeAll
    static void setUp() {
        db = TestPostgres.newMigratedDatabase().dataSource();
        box = SecretBox.fromKeysetJson(SecretBox.generateKeysetJson());
        store = new ChannelStore(db, box);
    }

    private static UUID tenant() throws SQLException {
        UUID id = UUID.randomUUID();
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("INSERT INTO tenants (id, name) VALUES (?, 't')")) {
            ps.setObject(1, id);
            ps.executeUpdate();
        }
        return id;
    }

    private static ChannelStore.Draft slack(String url) {
        return new ChannelStore.Draft(
                "s", ChannelType.SLACK, ChannelSettings.ofUrl(url), null, true);
    }

    @Test
    void channelsAreTheirTenantsOnly() throws SQLException {
        UUID a = tenant();
        UUID b = tenant();
        ChannelStore.Channel channel = store.create(a, slack("https://hooks.slack.com/x/1"));
        assertThat(channel.receiver()).isEqualTo("hooks.slack.com:443");
        assertThat(store.get(b, channel.id())).isEmpty();
        assertThat(store.list(b, null, 10)).isEmpty();
        assertThat(store.forDelivery(b, List.of(channel.id()))).isEmpty();
        assertThat(store.update(b, channel.id(), d -> d)).isEmpty();
        assertThat(store.delete(b, channel.id())).isFalse();
        assertThat(store.disable(b, channel.id(), "x")).isFalse();
        assertThat(store.get(a, channel.id())).isPresent();
    }

    @Test
    void aCiphertextMovedToAnotherChannelDoesNotDecrypt() throws SQLException {
        UUID tenant = tenant();
        ChannelStore.Channel one = store.create(tenant, slack("https://hooks.slack.com/x/one"));
        ChannelStore.Channel two = store.create(tenant, slack("https://hooks.slack.com/x/two"));
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "UPDATE channels SET settings_ciphertext ="
                                        + " (SELECT settings_ciphertext FROM channels WHERE id = ?)"
                                        + " WHERE id = ?")) {
            ps.setObject(1, one.id());
            ps.setObject(2, two.id());
            ps.executeUpdate();
        }
        assertThatThrownBy(() -> store.get(tenant, two.id()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageNotContaining("hooks.slack.com");
    }

    @Test
    void deliveryGetsEnabledChannelsInOrderAndTracksFailureRuns() throws SQLException {
        UUID tenant = tenant();
        ChannelStore.Channel first = store.create(tenant, slack("https://hooks.slack.com/x/a"));
        ChannelStore.Channel mail =
                store.create(
                        tenant,
                        new ChannelStore.Draft(
                                "m",
                                ChannelType.EMAIL,
                                new ChannelSettings(null, null, null, List.of("a@example.com")),
                                null,
                                true));
        assertThat(mail.receiver()).isEqualTo(ChannelStore.SMTP_RECEIVER);
        UUID unknown = UUID.randomUUID();
        assertThat(store.forDelivery(tenant, List.of(mail.id(), unknown, first.id())))
                .extracting(ChannelStore.Channel::id)
                .containsExactly(mail.id(), first.id());
        assertThat(store.forDelivery(tenant, List.of(mail.id())).get(0).settings().to())
                .containsExactly("a@example.com");

        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        store.failed(first.id(), t0);
        store.failed(first.id(), t0.plusSeconds(60)); // the run started at t0
        assertThat(store.get(tenant, first.id()).orElseThrow().failingSince()).isEqualTo(t0);
        store.succeeded(first.id());
        assertThat(store.get(tenant, first.id()).orElseThrow().failingSince()).isNull();

        store.failed(first.id(), t0);
        assertThat(store.disable(tenant, first.id(), "receiver answered 410 Gone")).isTrue();
        ChannelStore.Channel disabled = store.get(tenant, first.id()).orElseThrow();
        assertThat(disabled.enabled()).isFalse();
        assertThat(disabled.disabledReason()).isEqualTo("receiver answered 410 Gone");
        assertThat(disabled.disabledAt()).isNotNull();
        assertThat(store.forDelivery(tenant, List.of(first.id()))).isEmpty();

        // Re-enabling clears the reason and the failure run; the settings stay.
        ChannelStore.Channel enabled =
                store.update(
                                tenant,
                                first.id(),
                                d ->
                                        new ChannelStore.Draft(
                                                d.name(),
                                                d.type(),
                                                d.settings(),
                                                d.template(),
                                                true))
                        .orElseThrow();
        assertThat(enabled.disabledReason()).isNull();
        assertThat(enabled.disabledAt()).isNull();
        assertThat(enabled.failingSince()).isNull();
        assertThat(enabled.settings().url()).isEqualTo("https://hooks.slack.com/x/a");
    }

    @Test
    void enqueueDeliversToTheImplicitWebhookChannelOfAMonitor() throws SQLException {
        UUID tenant = tenant();
        UUID monitor = UUID.randomUUID();
        String url = "https://receiver.example:8443/hook/secret";
        UUID implicit;
        try (Connection c = db.getConnection()) {
            implicit = store.putImplicit(c, tenant, monitor, url);
            assertThat(store.putImplicit(c, tenant, monitor, url)).isEqualTo(implicit);
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "INSERT INTO monitors (id, tenant_id, version, name, status,"
                                    + " interval_seconds, spec) VALUES (?, ?, 1, 'm', 'active', 60,"
                                    + " jsonb_build_object('notify', jsonb_build_object("
                                    + "'channels', jsonb_build_array(?::text))))")) {
                ps.setObject(1, monitor);
                ps.setObject(2, tenant);
                ps.setString(3, implicit.toString());
                ps.executeUpdate();
            }
        }
        DeliveryStore deliveries = new DeliveryStore(db, box, "http://api.test");
        Alert alert =
                new Alert(
                        Alert.idFor(AlertKind.CONDITION_MET, monitor, "https://shop.example/", "x"),
                        AlertKind.CONDITION_MET,
                        monitor,
                        tenant,
                        "https://shop.example/",
                        Instant.now().truncatedTo(ChronoUnit.MILLIS),
                        "price below 50",
                        "x",
                        "- a\n+ b");
        assertThat(deliveries.enqueue(List.of(alert), Duration.ofHours(1))).isEqualTo(1);
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT receiver, channel FROM deliveries WHERE alert_key = ?")) {
            ps.setString(1, alert.alertId());
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("receiver.example:8443");
                // A channel row: the channel's id, no copy of its URL (read at the attempt).
                assertThat(rs.getString(2)).isEqualTo(implicit.toString());
            }
        }
        assertThat(
                        deliveries.claim(10, List.of(), Duration.ofMinutes(1)).stream()
                                .filter(d -> d.alertKey().equals(alert.alertId())))
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.channelId()).isEqualTo(implicit);
                            assertThat(d.targetUrl()).isNull();
                        });
        assertThat(store.byIds(List.of(implicit)).get(implicit).settings().url()).isEqualTo(url);

        // A disabled implicit channel is not delivered to.
        assertThat(store.disable(tenant, implicit, "410")).isTrue();
        Alert next =
                new Alert(
                        Alert.idFor(AlertKind.CONDITION_MET, monitor, "https://shop.example/", "y"),
                        AlertKind.CONDITION_MET,
                        monitor,
                        tenant,
                        "https://shop.example/",
                        Instant.now().truncatedTo(ChronoUnit.MILLIS),
                        "price below 50",
                        "y",
                        "- a\n+ c");
        assertThat(deliveries.enqueue(List.of(next), Duration.ofHours(1))).isZero();
    }
}
