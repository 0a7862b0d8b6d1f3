package dev.flinkwatch.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.testing.TestKafka;
import dev.flinkwatch.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery on real parts: PostgreSQL, a KRaft Kafka broker, receivers over loopback HTTP. Every
 * wait is on a monotonic condition (a row's status, a receiver's request count).
 */
class DeliveryIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final String keyset = SecretBox.generateKeysetJson();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private DataSource db;
    private String topic;
    private UUID tenant;

    @BeforeEach
    void setUp() throws SQLException {
        db = TestPostgres.newMigratedDatabase().dataSource();
        topic = TestKafka.uniqueTopic("alerts");
        TestKafka.createTopic(topic, 2, false);
        tenant = UUID.randomUUID();
        sql("INSERT INTO tenants (id, name) VALUES (?, 'acme')", tenant);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private DeliveryConfig config(String groupId, Duration window) {
        return new DeliveryConfig(
                TestKafka.bootstrapServers(),
                topic,
                groupId,
                keyset,
                new RetryPolicy(window, Duration.ofMillis(200), Duration.ofSeconds(1)),
                // Generous for a loaded 2-core machine: only the hanging receiver may time out.
                Duration.ofSeconds(3),
                64,
                2,
                Duration.ofMillis(100),
                List.of("127.0.0.1/32"),
                "http://api.test");
    }

    @Test
    void retriesHangsWindowsAndBlockedAddressesDoNotHoldBackOthers() throws Exception {
        Receiver flaky = keep(Receiver.answering(n -> n < 3 ? 500 : 204));
        Receiver down = keep(Receiver.answering(n -> 503));
        Receiver hanging = keep(Receiver.answering(n -> Receiver.HANG));
        Receiver fast = keep(Receiver.answering(n -> 200));
        UUID flakyMonitor = monitor(flaky.url());
        UUID downMonitor = monitor(down.url());
        UUID hangingMonitor = monitor(hanging.url());
        UUID fastMonitor = monitor(fast.url());
        UUID blockedMonitor = monitor("http://169.254.169.254/latest/meta-data");
        UUID silentMonitor = monitor(null);
        Receiver legacy = keep(Receiver.answering(n -> 200));
        UUID legacyMonitor = legacyMonitor(legacy.url());

        keep(
                DeliveryService.start(
                        config("delivery-" + UUID.randomUUID(), Duration.ofSeconds(12)), db));
        List<Alert> alerts = new ArrayList<>();
        alerts.add(alert(flakyMonitor, "flaky"));
        alerts.add(alert(downMonitor, "down"));
        for (int i = 0; i < 6; i++) {
            alerts.add(alert(hangingMonitor, "hang-" + i));
        }
        for (int i = 0; i < 20; i++) {
            alerts.add(alert(fastMonitor, "fast-" + i));
        }
        alerts.add(alert(blockedMonitor, "blocked"));
        alerts.add(alert(silentMonitor, "silent"));
        alerts.add(alert(legacyMonitor, "legacy"));
        Alert aborted = alert(fastMonitor, "aborted");
        publish(alerts, List.of(aborted));

        // Fast receiver: everything delivered on the first attempt, before the down receiver's
        // window closed (created together, so its deliver_by is the same moment).
        await().atMost(WAIT).until(() -> count(fastMonitor, "delivered") == 20);
        Map<String, Row> rows = rows();
        Instant downDeadline = rows.get(id(alerts, "down")).deliverBy;
        for (int i = 0; i < 20; i++) {
            Row row = rows.get(id(alerts, "fast-" + i));
            // Usually 1; a stale keep-alive connection on a loaded machine may cost one retry.
            assertThat(row.attempts).isBetween(1, 2);
            assertThat(row.deliveredAt).isBefore(downDeadline);
        }
        assertThat(fast.requests().stream().map(r -> r.header("webhook-id")).distinct())
                .hasSize(20);

        // Flaky: three 500s, then delivered, every attempt with the same webhook-id.
        await().atMost(WAIT).until(() -> status(id(alerts, "flaky")).equals("delivered"));
        assertThat(rows().get(id(alerts, "flaky")).attempts).isEqualTo(4);
        assertThat(flaky.requests()).hasSize(4);
        assertThat(flaky.requests())
                .extracting(r -> r.header("webhook-id"))
                .containsOnly(id(alerts, "flaky"));

        // Blocked: refused at delivery without any connection, final on the first attempt.
        await().atMost(WAIT).until(() -> status(id(alerts, "blocked")).equals("failed"));
        Row blocked = rows().get(id(alerts, "blocked"));
        assertThat(blocked.attempts).isEqualTo(1);
        assertThat(blocked.lastError).startsWith("BLOCKED_ADDRESS").contains("cloud metadata");

        // Down longer than the window, and hanging: failed once the window closed.
        await().atMost(WAIT).until(() -> status(id(alerts, "down")).equals("failed"));
        Row downRow = rows().get(id(alerts, "down"));
        assertThat(downRow.lastError).startsWith("WINDOW_EXPIRED").contains("HTTP 503");
        assertThat(downRow.attempts).isGreaterThan(1);
        await().atMost(WAIT).until(() -> count(hangingMonitor, "failed") == 6);
        assertThat(rows().get(id(alerts, "hang-0")).lastError).contains("TIMEOUT");
        // The per-receiver cap (2) held: the hanging receiver never saw more than that at once;
        // every request it got was one attempt of a row, and there were at most cap per timeout.
        assertThat(hanging.requests()).isNotEmpty();

        // A spec from before channels (plaintext notify.webhookUrl) is still delivered, signed.
        await().atMost(WAIT).until(() -> status(id(alerts, "legacy")).equals("delivered"));
        assertThat(legacy.requests()).hasSize(1);
        assertThat(legacy.requests().get(0).header("webhook-signature")).startsWith("v1,");

        // No delivery for a monitor without a target, none for the aborted transaction's alert.
        assertThat(rows()).doesNotContainKeys(id(alerts, "silent"), aborted.alertId());
        assertThat(fast.requests().stream().map(r -> r.header("webhook-id")).distinct())
                .hasSize(20);
    }

    @Test
    void signaturesVerifyIndependentlyAndSecretsAreOnlyCiphertext() throws Exception {
        Receiver receiver = keep(Receiver.answering(n -> 200));
        UUID monitor = monitor(receiver.url());
        keep(
                DeliveryService.start(
                        config("delivery-" + UUID.randomUUID(), Duration.ofMinutes(5)), db));
        Alert first = alert(monitor, "first");
        publish(List.of(first), List.of());
        await().atMost(WAIT).until(() -> receiver.requests().size() == 1);

        SecretBox box = SecretBox.fromKeysetJson(keyset);
        WebhookSecrets secrets = new WebhookSecrets(db, box);
        String secret = secrets.signingSecrets(tenant).get(0);
        Receiver.Request request = receiver.requests().get(0);
        assertThat(request.header("webhook-id")).isEqualTo(first.alertId());
        assertThat(signatures(request)).containsExactly(expectedSignature(secret, request));
        JsonNode body = ModelCodec.mapper().readTree(request.body());
        assertThat(body.get("type").asText()).isEqualTo("alert.created");
        assertThat(body.at("/data/monitorName").asText()).isEqualTo("m-" + monitor);
        assertThat(body.at("/data/diff").asText()).isEqualTo("- old\n+ first");

        // Rotation: during the grace period both the new and the old secret sign.
        String rotated = secrets.rotate(tenant, Duration.ofHours(1));
        Alert second = alert(monitor, "second");
        publish(List.of(second), List.of());
        await().atMost(WAIT).until(() -> receiver.requests().size() == 2);
        Receiver.Request after = receiver.requests().get(1);
        assertThat(signatures(after))
                .containsExactly(
                        expectedSignature(rotated, after), expectedSignature(secret, after));

        // At rest only ciphertext: neither the receiver URL nor the signing secrets appear.
        for (byte[] stored : bytes("SELECT settings_ciphertext FROM channels")) {
            assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("127.0.0.1");
        }
        for (byte[] stored :
                bytes(
                        "SELECT secret_ciphertext FROM webhook_secrets UNION ALL SELECT previous_ciphertext FROM webhook_secrets")) {
            String text = new String(stored, StandardCharsets.ISO_8859_1);
            assertThat(text).doesNotContain("whsec_").doesNotContain(secret.substring(6, 20));
        }
    }

    @Test
    void restartDeliversWhatWasPendingAndNeverResendsWhatWasAccepted() throws Exception {
        Receiver receiver = keep(Receiver.answering(n -> 200));
        UUID monitor = monitor(receiver.url());
        String group = "delivery-" + UUID.randomUUID();
        DeliveryService first = DeliveryService.start(config(group, Duration.ofMinutes(10)), db);
        List<Alert> accepted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            accepted.add(alert(monitor, "ok-" + i));
        }
        publish(accepted, List.of());
        await().atMost(WAIT).until(() -> count(monitor, "delivered") == 5);

        // The receiver goes down; these stay pending while the component stops.
        receiver.answer(n -> 503);
        List<Alert> pending = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pending.add(alert(monitor, "pending-" + i));
        }
        publish(pending, List.of());
        await().atMost(WAIT).until(() -> attemptedAtLeastOnce(pending) == 5);
        first.close();

        // Published while it is down: picked up from the committed offsets after the restart.
        List<Alert> whileStopped = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            whileStopped.add(alert(monitor, "stopped-" + i));
        }
        publish(whileStopped, List.of());
        receiver.answer(n -> 200);
        keep(DeliveryService.start(config(group, Duration.ofMinutes(10)), db));
        await().atMost(WAIT).until(() -> count(monitor, "delivered") == 13);

        Map<String, Long> acceptedTimes =
                receiver.requests().stream()
                        .filter(r -> r.answered() == 200)
                        .collect(
                                Collectors.groupingBy(
                                        r -> r.header("webhook-id"), Collectors.counting()));
        assertThat(acceptedTimes).hasSize(13);
        assertThat(acceptedTimes.values()).containsOnly(1L);
    }

    @Test
    void goneDeletedAndLongFailingChannelsStopAndTheTenantIsTold() throws Exception {
        Receiver gone = keep(Receiver.answering(n -> 410));
        Receiver slack = keep(Receiver.answering(n -> 200));
        Receiver down = keep(Receiver.answering(n -> 503));
        Receiver doomed = keep(Receiver.answering(n -> 503));
        UUID goneChannel = channel(ChannelType.WEBHOOK, gone.url());
        UUID slackChannel = channel(ChannelType.SLACK, slack.url());
        UUID downChannel = channel(ChannelType.WEBHOOK, down.url());
        UUID doomedChannel = channel(ChannelType.NTFY, doomed.url());
        UUID both = monitorOn(goneChannel, slackChannel);
        UUID failing = monitorOn(downChannel);
        UUID deleted = monitorOn(doomedChannel);
        Duration window = Duration.ofSeconds(4);
        keep(DeliveryService.start(config("delivery-" + UUID.randomUUID(), window), db));

        // 410: the channel is disabled at once, its sibling channel of the monitor still delivers.
        Alert first = alert(both, "first");
        Alert longFail = alert(failing, "down-1");
        Alert toDeleted = alert(deleted, "to-deleted");
        publish(List.of(first, longFail, toDeleted), List.of());
        await().atMost(WAIT).until(() -> !channels().get(tenant, goneChannel).get().enabled());
        assertThat(channels().get(tenant, goneChannel).get().disabledReason()).contains("410");
        await().atMost(WAIT).until(() -> count(both, "delivered") == 1);
        JsonNode slackBody = ModelCodec.mapper().readTree(slack.requests().get(0).body());
        assertThat(slackBody.get("blocks").isArray()).isTrue();
        assertThat(gone.requests()).hasSize(1);
        // The next alert of that monitor goes to the enabled channel only.
        Alert second = alert(both, "second");
        publish(List.of(second), List.of());
        await().atMost(WAIT).until(() -> count(both, "delivered") == 2);
        assertThat(gone.requests()).hasSize(1);

        // A channel deleted while its delivery waits for a retry: failed without another attempt.
        await().atMost(WAIT).until(() -> doomed.requests().size() >= 1);
        assertThat(channels().delete(tenant, doomedChannel)).isTrue();
        await().atMost(WAIT).until(() -> status(toDeleted.alertId()).equals("failed"));
        assertThat(rows().get(toDeleted.alertId()).lastError)
                .startsWith("CHANNEL_DISABLED")
                .contains("deleted");

        // Failing for longer than the retry window: the first alert is given up on, the next
        // alert's failed attempt disables the channel.
        await().atMost(WAIT).until(() -> status(longFail.alertId()).equals("failed"));
        Alert later = alert(failing, "down-2");
        publish(List.of(later), List.of());
        await().atMost(WAIT).until(() -> !channels().get(tenant, downChannel).get().enabled());
        assertThat(channels().get(tenant, downChannel).get().disabledReason())
                .contains("every delivery failed since")
                .contains("HTTP 503");
        await().atMost(WAIT).until(() -> status(later.alertId()).equals("failed"));

        // The tenant is told, once per disabled channel.
        assertThat(notices()).containsExactlyInAnyOrder(goneChannel, downChannel);
    }

    // --- helpers ---

    private List<UUID> notices() throws SQLException {
        List<UUID> channels = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT channel_id FROM tenant_notices WHERE tenant_id = ?"
                                        + " AND kind = 'CHANNEL_DISABLED'")) {
            ps.setObject(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    channels.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return channels;
    }

    private <T extends AutoCloseable> T keep(T closeable) {
        closing.add(closeable);
        return closeable;
    }

    /** A monitor delivering to a webhook channel at {@code webhookUrl} (none when null). */
    private UUID monitor(String webhookUrl) throws SQLException {
        return webhookUrl == null
                ? monitorWith("{}")
                : monitorOn(channel(ChannelType.WEBHOOK, webhookUrl));
    }

    private UUID monitorOn(UUID... channelIds) throws SQLException {
        var channels = ModelCodec.mapper().createArrayNode();
        for (UUID channelId : channelIds) {
            channels.add(channelId.toString());
        }
        var notify = ModelCodec.mapper().createObjectNode().set("channels", channels);
        return monitorWith(ModelCodec.mapper().createObjectNode().set("notify", notify).toString());
    }

    /** A spec stored before channels: {@code notify.webhookUrl} in plaintext. */
    private UUID legacyMonitor(String webhookUrl) throws SQLException {
        var notify = ModelCodec.mapper().createObjectNode().put("webhookUrl", webhookUrl);
        return monitorWith(ModelCodec.mapper().createObjectNode().set("notify", notify).toString());
    }

    private UUID channel(ChannelType type, String url) throws SQLException {
        return channels()
                .create(
                        tenant,
                        new ChannelStore.Draft(
                                type + " " + url, type, ChannelSettings.ofUrl(url), null, true))
                .id();
    }

    private ChannelStore channels() {
        return new ChannelStore(db, SecretBox.fromKeysetJson(keyset));
    }

    private UUID monitorWith(String spec) throws SQLException {
        UUID id = UUID.randomUUID();
        sql(
                "INSERT INTO monitors (id, tenant_id, version, name, status, interval_seconds, spec)"
                        + " VALUES (?, ?, 1, ?, 'active', 60, ?::jsonb)",
                id,
                tenant,
                "m-" + id,
                spec);
        return id;
    }

    private Alert alert(UUID monitor, String label) {
        return new Alert(
                Alert.idFor(AlertKind.CONDITION_MET, monitor, "https://shop.example/", label),
                AlertKind.CONDITION_MET,
                monitor,
                tenant,
                "https://shop.example/",
                Instant.now().truncatedTo(ChronoUnit.MILLIS),
                "price below 50",
                label,
                "- old\n+ " + label);
    }

    /**
     * Committed alerts in one transaction, then an aborted transaction (read_committed skips it).
     */
    private void publish(List<Alert> committed, List<Alert> abortedAlerts) {
        Properties p = TestKafka.producerProperties();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-" + UUID.randomUUID());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (Alert a : committed) {
                producer.send(record(a));
            }
            producer.commitTransaction();
            if (!abortedAlerts.isEmpty()) {
                producer.beginTransaction();
                for (Alert a : abortedAlerts) {
                    producer.send(record(a));
                }
                producer.flush();
                producer.abortTransaction();
            }
        }
    }

    private ProducerRecord<byte[], byte[]> record(Alert a) {
        return new ProducerRecord<>(
                topic,
                a.monitorId().toString().getBytes(StandardCharsets.UTF_8),
                ModelCodec.encode(a));
    }

    private static String id(List<Alert> alerts, String label) {
        return alerts.stream()
                .filter(a -> a.excerpt().equals(label))
                .findFirst()
                .orElseThrow()
                .alertId();
    }

    record Row(
            String status,
            int attempts,
            Instant deliverBy,
            Instant deliveredAt,
            String lastError) {}

    private Map<String, Row> rows() throws SQLException {
        Map<String, Row> rows = new HashMap<>();
        try (Connection c = db.getConnection();
                ResultSet rs =
                        c.createStatement()
                                .executeQuery(
                                        "SELECT alert_key, status, attempts, deliver_by, delivered_at, last_error FROM deliveries")) {
            while (rs.next()) {
                rows.put(
                        rs.getString(1),
                        new Row(
                                rs.getString(2),
                                rs.getInt(3),
                                rs.getTimestamp(4).toInstant(),
                                rs.getTimestamp(5) == null ? null : rs.getTimestamp(5).toInstant(),
                                rs.getString(6)));
            }
        }
        return rows;
    }

    private String status(String alertKey) throws SQLException {
        Row row = rows().get(alertKey);
        return row == null ? "absent" : row.status;
    }

    private long count(UUID monitor, String status) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT count(*) FROM deliveries WHERE monitor_id = ? AND status = ?")) {
            ps.setObject(1, monitor);
            ps.setString(2, status);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long attemptedAtLeastOnce(List<Alert> alerts) throws SQLException {
        Map<String, Row> rows = rows();
        return alerts.stream()
                .map(a -> rows.get(a.alertId()))
                .filter(r -> r != null && r.attempts >= 1 && r.status.equals("pending"))
                .count();
    }

    private List<byte[]> bytes(String query) throws SQLException {
        List<byte[]> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                ResultSet rs = c.createStatement().executeQuery(query)) {
            while (rs.next()) {
                if (rs.getBytes(1) != null) {
                    out.add(rs.getBytes(1));
                }
            }
        }
        assertThat(out).isNotEmpty();
        return out;
    }

    private void sql(String statement, Object... args) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    private static List<String> signatures(Receiver.Request request) {
        return List.of(request.header("webhook-signature").split(" "));
    }

    /** The spec's HMAC, computed here without the library: v1,base64(HMAC-SHA256(id.ts.body)). */
    private static String expectedSignature(String secret, Receiver.Request request)
            throws Exception {
        byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        String signed =
                request.header("webhook-id")
                        + "."
                        + request.header("webhook-timestamp")
                        + "."
                        + request.body();
        byte[] digest = mac.doFinal(signed.getBytes(StandardCharsets.UTF_8));
        return "v1," + Base64.getEncoder().encodeToString(digest);
    }
}
