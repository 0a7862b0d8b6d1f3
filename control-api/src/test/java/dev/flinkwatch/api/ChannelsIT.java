package dev.flinkwatch.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.api.ApiHarness.Response;
import dev.flinkwatch.api.ApiHarness.Tenant;
import dev.flinkwatch.api.outbox.Outbox;
import dev.flinkwatch.delivery.ChannelSettings;
import dev.flinkwatch.delivery.ChannelStore;
import dev.flinkwatch.delivery.SecretBox;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorEvent;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.model.Notify;
import dev.flinkwatch.model.Source;
import dev.flinkwatch.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code /v1/channels} and {@code notify.channels}: CRUD per type, validation naming the field, the
 * SSRF guard at creation and update, tenant isolation, and the secrets rules: the API never returns
 * a stored secret, and neither the database nor the monitors topic holds one in plaintext (also
 * after the start-up migration of a legacy plaintext {@code notify.webhookUrl}).
 */
class ChannelsIT {
    /** 127.0.0.2 is a "local receiver" on the allow-list; the rest of loopback is not. */
    private static final String ALLOWED = "127.0.0.2";

    private static ApiHarness harness;
    private static ChannelStore store;

    @BeforeAll
    static void start() {
        harness =
                ApiHarness.start(
                        b -> b.addressAllowList(List.of(ALLOWED + "/32")).writeLimit(0, 0));
        store =
                new ChannelStore(
                        harness.db.dataSource(), SecretBox.fromKeysetJson(ApiHarness.KEYSET));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    /** A secret part that no mask, id or other value contains by chance. */
    private static String secret(String what) {
        return what + "S3CRET" + UUID.randomUUID().toString().replace("-", "");
    }

    /** One channel of every type, with its secrets. */
    private record Sample(String type, String settingsJson, List<String> secrets) {}

    private static List<Sample> everyType() {
        String webhook = "https://hooks.example/in/" + secret("wh");
        String slack = "https://hooks.slack.com/services/T0/B0/" + secret("sl");
        String discord = "https://discord.com/api/webhooks/1/" + secret("dc");
        String ntfyUrl = "https://ntfy.sh/" + secret("topic");
        String ntfyToken = "tk_" + secret("nt");
        String botToken = "123456789:" + secret("AAH").substring(0, 40);
        String chat = "-100" + (1_000_000_000L + (long) (Math.random() * 1e9));
        String mail1 = secret("alice").toLowerCase() + "@example.com";
        String mail2 = secret("bob").toLowerCase() + "@example.org";
        String apprise = "https://apprise.example/notify/" + secret("ap");
        String service = "tgram://" + secret("svc") + "/12345";
        return List.of(
                new Sample("webhook", "{\"url\": \"%s\"}".formatted(webhook), List.of(webhook)),
                new Sample("slack", "{\"url\": \"%s\"}".formatted(slack), List.of(slack)),
                new Sample("discord", "{\"url\": \"%s\"}".formatted(discord), List.of(discord)),
                new Sample(
                        "ntfy",
                        "{\"url\": \"%s\", \"token\": \"%s\"}".formatted(ntfyUrl, ntfyToken),
                        List.of(ntfyUrl, ntfyToken)),
                new Sample(
                        "telegram",
                        "{\"token\": \"%s\", \"chatId\": \"%s\"}".formatted(botToken, chat),
                        List.of(botToken, chat)),
                new Sample(
                        "email",
                        "{\"to\": [\"%s\", \"%s\"]}".formatted(mail1, mail2),
                        List.of(mail1, mail2)),
                new Sample(
                        "apprise",
                        "{\"url\": \"%s\", \"to\": [\"%s\"]}".formatted(apprise, service),
                        List.of(apprise, service)));
    }

    private static String channelBody(String name, String type, String settingsJson) {
        return "{\"name\": \"%s\", \"type\": \"%s\", \"settings\": %s}"
                .formatted(name, type, settingsJson);
    }

    private static Response post(Tenant tenant, String path, String body) {
        return harness.send("POST", path, tenant.auth(), body);
    }

    private static Response put(Tenant tenant, String path, String body) {
        return harness.send("PUT", path, tenant.auth(), body);
    }

    private static JsonNode created(Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    @Test
    void crudOfEveryTypeStoresTheSettingsAndShowsThemMasked() throws Exception {
        Tenant tenant = harness.createTenant("crud");
        for (Sample sample : everyType()) {
            JsonNode channel =
                    created(
                            post(
                                    tenant,
                                    "/v1/channels",
                                    channelBody(
                                            "my " + sample.type(),
                                            sample.type(),
                                            sample.settingsJson())));
            UUID id = UUID.fromString(channel.get("id").asText());
            assertThat(channel.get("type").asText()).isEqualTo(sample.type());
            assertThat(channel.get("enabled").asBoolean()).isTrue();
            assertThat(channel.get("implicit").asBoolean()).isFalse();
            ChannelSettings stored = store.get(tenant.id(), id).orElseThrow().settings();
            String storedJson = ModelCodec.mapper().writeValueAsString(stored);
            sample.secrets().forEach(s -> assertThat(storedJson).contains(s));
            assertThat(harness.get("/v1/channels/" + id, tenant).json()).isEqualTo(channel);

            // Rename without settings (a client that only saw masked values): secrets kept.
            Response renamed =
                    put(
                            tenant,
                            "/v1/channels/" + id,
                            "{\"name\": \"renamed\", \"type\": \"%s\", \"enabled\": false}"
                                    .formatted(sample.type()));
            assertThat(renamed.status()).as(renamed.body()).isEqualTo(200);
            assertThat(renamed.json().get("name").asText()).isEqualTo("renamed");
            assertThat(renamed.json().get("enabled").asBoolean()).isFalse();
            assertThat(renamed.json().get("disabledAt").isNull()).isFalse();
            assertThat(store.get(tenant.id(), id).orElseThrow().settings()).isEqualTo(stored);
            assertThat(store.forDelivery(tenant.id(), List.of(id))).isEmpty();
        }
        // Masks: scheme and host, last 4 characters.
        JsonNode list = harness.get("/v1/channels?limit=3", tenant).json();
        assertThat(list.get("items")).hasSize(3);
        JsonNode rest =
                harness.get("/v1/channels?cursor=" + list.get("nextCursor").asText(), tenant)
                        .json();
        assertThat(rest.get("items")).hasSize(4);
        assertThat(rest.get("nextCursor").isNull()).isTrue();
        List<JsonNode> all = new ArrayList<>();
        list.get("items").forEach(all::add);
        rest.get("items").forEach(all::add);
        JsonNode slack =
                all.stream()
                        .filter(c -> c.get("type").asText().equals("slack"))
                        .findFirst()
                        .orElseThrow();
        assertThat(slack.at("/settings/url").asText())
                .startsWith("https://hooks.slack.com/…/••••")
                .hasSize("https://hooks.slack.com/…/••••".length() + 4);

        // Replace the settings, re-enable; then delete.
        UUID webhook =
                UUID.fromString(
                        all.stream()
                                .filter(c -> c.get("type").asText().equals("webhook"))
                                .findFirst()
                                .orElseThrow()
                                .get("id")
                                .asText());
        Response replaced =
                put(
                        tenant,
                        "/v1/channels/" + webhook,
                        channelBody(
                                "w",
                                "webhook",
                                "{\"url\": \"https://other.example/new-hook-0042\"}"));
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertThat(replaced.json().get("enabled").asBoolean()).isTrue();
        assertThat(replaced.json().get("disabledAt").isNull()).isTrue();
        assertThat(replaced.json().at("/settings/url").asText())
                .isEqualTo("https://other.example/…/••••0042");
        assertThat(store.forDelivery(tenant.id(), List.of(webhook)))
                .singleElement()
                .satisfies(
                        c ->
                                assertThat(c.settings().url())
                                        .isEqualTo("https://other.example/new-hook-0042"));
        assertThat(harness.send("DELETE", "/v1/channels/" + webhook, tenant.auth(), null).status())
                .isEqualTo(204);
        assertThat(harness.get("/v1/channels/" + webhook, tenant).status()).isEqualTo(404);
    }

    static Stream<Arguments> invalidChannels() {
        String hook = "{\"url\": \"https://hooks.example/x\"}";
        String token = "123456789:" + "A".repeat(35);
        return Stream.of(
                Arguments.of("{\"type\": \"webhook\", \"settings\": " + hook + "}", "name"),
                Arguments.of(channelBody("n", "sms", hook), "type"),
                Arguments.of("{\"name\": \"n\", \"settings\": " + hook + "}", "type"),
                Arguments.of("{\"name\": \"n\", \"type\": \"webhook\"}", "settings"),
                Arguments.of(channelBody("n", "webhook", "{}"), "settings.url"),
                Arguments.of(
                        channelBody("n", "webhook", "{\"url\": \"not a url\"}"), "settings.url"),
                Arguments.of(
                        channelBody("n", "slack", "{\"url\": \"ftp://hooks.example/x\"}"),
                        "settings.url"),
                Arguments.of(
                        channelBody("n", "discord", "{\"url\": \"http://hooks.example/x\"}"),
                        "settings.url"),
                Arguments.of(
                        channelBody("n", "slack", "{\"url\": \"https://u:p@hooks.example/x\"}"),
                        "settings.url"),
                Arguments.of(
                        channelBody(
                                "n",
                                "webhook",
                                "{\"url\": \"https://hooks.example/x\", \"token\": \"t\"}"),
                        "settings.token"),
                Arguments.of(
                        channelBody("n", "telegram", "{\"token\": \"nope\", \"chatId\": \"1\"}"),
                        "settings.token"),
                Arguments.of(
                        channelBody("n", "telegram", "{\"token\": \"" + token + "\"}"),
                        "settings.chatId"),
                Arguments.of(
                        channelBody(
                                "n",
                                "telegram",
                                "{\"token\": \"" + token + "\", \"chatId\": \"12 34\"}"),
                        "settings.chatId"),
                Arguments.of(
                        channelBody(
                                "n",
                                "ntfy",
                                "{\"url\": \"https://ntfy.sh/t\", \"token\": \"a b\"}"),
                        "settings.token"),
                Arguments.of(
                        channelBody(
                                "n", "email", "{\"to\": [\"ok@example.com\", \"not an address\"]}"),
                        "settings.to[1]"),
                Arguments.of(
                        channelBody("n", "email", "{\"to\": [\"Eve <eve@example.com>\"]}"),
                        "settings.to[0]"),
                Arguments.of(channelBody("n", "email", "{\"to\": []}"), "settings.to"),
                Arguments.of(
                        channelBody(
                                "n",
                                "email",
                                "{\"to\": ["
                                        + String.join(
                                                ", ",
                                                IntStream.range(0, 21)
                                                        .mapToObj(i -> "\"u" + i + "@example.com\"")
                                                        .toList())
                                        + "]}"),
                        "settings.to"),
                Arguments.of(
                        channelBody(
                                "n",
                                "apprise",
                                "{\"url\": \"https://apprise.example/notify\", \"to\": [\"nope\"]}"),
                        "settings.to[0]"),
                Arguments.of(
                        "{\"name\": \"n\", \"type\": \"webhook\", \"settings\": "
                                + hook
                                + ", \"template\": \"{{#alert}}unclosed\"}",
                        "template"),
                Arguments.of(
                        "{\"name\": \"n\", \"type\": \"webhook\", \"settings\": "
                                + hook
                                + ", \"template\": \"{{> other}}\"}",
                        "template"),
                Arguments.of(
                        "{\"name\": \"n\", \"type\": \"webhook\", \"settings\": "
                                + hook
                                + ", \"template\": \""
                                + "x".repeat(ChannelStore.MAX_TEMPLATE_BYTES + 1)
                                + "\"}",
                        "template"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("invalidChannels")
    void invalidChannelsAreRefusedNamingTheField(String body, String field) throws Exception {
        Tenant tenant = harness.createTenant("invalid");
        Response r = post(tenant, "/v1/channels", body);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorFields().has(field)).as(r.body()).isTrue();
        assertThat(store.list(tenant.id(), null, 10)).isEmpty();
    }

    @Test
    void aTemplateThatCompilesIsStored() {
        Tenant tenant = harness.createTenant("template");
        JsonNode channel =
                created(
                        post(
                                tenant,
                                "/v1/channels",
                                "{\"name\": \"t\", \"type\": \"webhook\", \"settings\":"
                                        + " {\"url\": \"https://hooks.example/t\"}, \"template\":"
                                        + " \"{{monitorName}}: {{reason}}\\n{{diff}}\"}"));
        assertThat(channel.get("template").asText()).startsWith("{{monitorName}}");
    }

    @Test
    void blockedAddressesAreRefusedAtCreationAndUpdate() throws Exception {
        Tenant tenant = harness.createTenant("ssrf");
        for (String url :
                List.of(
                        "https://127.0.0.1/hook",
                        "https://169.254.169.254/latest/meta-data",
                        "https://localhost/hook",
                        "https://[::1]/hook",
                        "https://10.0.0.1/hook",
                        "https://93.184.215.14:8443/hook")) {
            Response r =
                    post(
                            tenant,
                            "/v1/channels",
                            channelBody("b", "webhook", "{\"url\": \"" + url + "\"}"));
            assertThat(r.status()).as(url + ": " + r.body()).isEqualTo(400);
            assertThat(r.errorFields().has("settings.url")).as(r.body()).isTrue();
        }
        // http only to an allow-listed (local) receiver, on any port.
        JsonNode local =
                created(
                        post(
                                tenant,
                                "/v1/channels",
                                channelBody(
                                        "local",
                                        "ntfy",
                                        "{\"url\": \"http://" + ALLOWED + ":8099/alerts\"}")));
        UUID id = UUID.fromString(local.get("id").asText());
        Response update =
                put(
                        tenant,
                        "/v1/channels/" + id,
                        channelBody(
                                "local", "ntfy", "{\"url\": \"http://169.254.169.254/latest\"}"));
        assertThat(update.status()).as(update.body()).isEqualTo(400);
        assertThat(update.errorFields().has("settings.url")).isTrue();
        assertThat(store.get(tenant.id(), id).orElseThrow().settings().url())
                .isEqualTo("http://" + ALLOWED + ":8099/alerts");
        assertThat(store.list(tenant.id(), null, 10)).hasSize(1);
    }

    @Test
    void tenantsCannotSeeUseOrChangeEachOthersChannels() throws Exception {
        Tenant a = harness.createTenant("a");
        Tenant b = harness.createTenant("b");
        String url = "https://hooks.example/a/" + secret("a");
        UUID aChannel =
                UUID.fromString(
                        created(
                                        post(
                                                a,
                                                "/v1/channels",
                                                channelBody(
                                                        "a",
                                                        "webhook",
                                                        "{\"url\": \"" + url + "\"}")))
                                .get("id")
                                .asText());
        UUID bChannel =
                UUID.fromString(
                        created(
                                        post(
                                                b,
                                                "/v1/channels",
                                                channelBody(
                                                        "b",
                                                        "slack",
                                                        "{\"url\": \"https://hooks.slack.com/services/b\"}")))
                                .get("id")
                                .asText());

        assertThat(harness.get("/v1/channels/" + aChannel, b).status()).isEqualTo(404);
        assertThat(harness.get("/v1/channels", b).json().get("items"))
                .extracting(n -> n.get("id").asText())
                .containsExactly(bChannel.toString());
        Response change =
                put(b, "/v1/channels/" + aChannel, "{\"name\": \"mine\", \"type\": \"webhook\"}");
        assertThat(change.status()).isEqualTo(404);
        assertThat(harness.send("DELETE", "/v1/channels/" + aChannel, b.auth(), null).status())
                .isEqualTo(404);
        assertThat(store.get(a.id(), aChannel).orElseThrow().name()).isEqualTo("a");
        assertThat(store.forDelivery(b.id(), List.of(aChannel, bChannel)))
                .extracting(ChannelStore.Channel::id)
                .containsExactly(bChannel);

        // B cannot reference A's channel (nor an unknown id) from a monitor.
        Response monitor =
                post(b, "/v1/monitors", monitorWithChannels("b", List.of(bChannel, aChannel)));
        assertThat(monitor.status()).as(monitor.body()).isEqualTo(400);
        assertThat(monitor.errorFields().has("notify.channels[1]")).as(monitor.body()).isTrue();
        assertThat(monitor.errorFields().has("notify.channels[0]")).isFalse();
        Response unknown =
                post(b, "/v1/monitors", monitorWithChannels("b", List.of(UUID.randomUUID())));
        assertThat(unknown.errorFields().has("notify.channels[0]")).as(unknown.body()).isTrue();
        Response duplicate =
                post(b, "/v1/monitors", monitorWithChannels("b", List.of(bChannel, bChannel)));
        assertThat(duplicate.errorFields().has("notify.channels[1]")).as(duplicate.body()).isTrue();

        // A can; and B cannot put A's channel on its own monitor by an update either.
        JsonNode aMonitor =
                created(post(a, "/v1/monitors", monitorWithChannels("a", List.of(aChannel))));
        assertThat(aMonitor.at("/notify/channels/0").asText()).isEqualTo(aChannel.toString());
        JsonNode bMonitor =
                created(post(b, "/v1/monitors", monitorWithChannels("b", List.of(bChannel))));
        Response steal =
                put(
                        b,
                        "/v1/monitors/" + bMonitor.get("id").asText(),
                        monitorWithChannels("b", List.of(aChannel)));
        assertThat(steal.status()).as(steal.body()).isEqualTo(400);
        assertThat(steal.errorFields().has("notify.channels[0]")).isTrue();
    }

    private static String monitorWithChannels(String name, List<UUID> channels) {
        return """
                {"name": "%s", "sources": [{"url": "https://shop.example/%s"}],
                 "intervalSeconds": 300, "condition": {"type": "any_change"},
                 "notify": {"channels": [%s]}}
                """
                .formatted(
                        name,
                        name,
                        String.join(", ", channels.stream().map(id -> "\"" + id + "\"").toList()));
    }

    private static String monitorWithWebhook(String name, String webhookUrl) {
        return """
                {"name": "%s", "sources": [{"url": "https://shop.example/%s"}],
                 "intervalSeconds": 300, "condition": {"type": "any_change"},
                 "notify": {"webhookUrl": "%s"}}
                """
                .formatted(name, name, webhookUrl);
    }

    @Test
    void theApiNeverReturnsAStoredSecretAndStoresOnlyCiphertext() throws Exception {
        Tenant tenant = harness.createTenant("secrets");
        List<String> secrets = new ArrayList<>();
        List<String> bodies = new ArrayList<>();
        List<UUID> channelIds = new ArrayList<>();
        for (Sample sample : everyType()) {
            secrets.addAll(sample.secrets());
            Response r =
                    post(
                            tenant,
                            "/v1/channels",
                            channelBody(sample.type(), sample.type(), sample.settingsJson()));
            bodies.add(r.body());
            channelIds.add(UUID.fromString(created(r).get("id").asText()));
        }
        String legacy = "https://hooks.example/legacy/" + secret("legacy");
        secrets.add(legacy);
        Response createdMonitor =
                post(tenant, "/v1/monitors", monitorWithWebhook("legacy", legacy));
        bodies.add(createdMonitor.body());
        JsonNode monitor = created(createdMonitor);
        String monitorId = monitor.get("id").asText();
        assertThat(monitor.at("/notify/webhookUrl").isMissingNode()).isTrue();
        UUID implicit = UUID.fromString(monitor.at("/notify/channels/0").asText());
        assertThat(store.get(tenant.id(), implicit).orElseThrow().settings().url())
                .isEqualTo(legacy);

        // A new URL replaces the implicit channel's in place; channels may be added alongside.
        String legacy2 = legacy + "-v2";
        secrets.add(legacy2);
        Response replaced =
                put(
                        tenant,
                        "/v1/monitors/" + monitorId,
                        """
                        {"name": "legacy", "sources": [{"url": "https://shop.example/legacy"}],
                         "intervalSeconds": 300, "condition": {"type": "any_change"},
                         "notify": {"webhookUrl": "%s", "channels": ["%s"]}}
                        """
                                .formatted(legacy2, channelIds.get(0)));
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        bodies.add(replaced.body());
        assertThat(replaced.json().at("/notify/channels"))
                .extracting(JsonNode::asText)
                .containsExactly(channelIds.get(0).toString(), implicit.toString());
        assertThat(store.get(tenant.id(), implicit).orElseThrow().settings().url())
                .isEqualTo(legacy2);

        bodies.add(harness.get("/v1/channels", tenant).body());
        for (UUID id : channelIds) {
            bodies.add(harness.get("/v1/channels/" + id, tenant).body());
        }
        bodies.add(harness.get("/v1/channels/" + implicit, tenant).body());
        bodies.add(harness.get("/v1/monitors", tenant).body());
        bodies.add(harness.get("/v1/monitors/" + monitorId, tenant).body());
        assertThat(bodies).hasSize(channelIds.size() * 2 + 6);
        for (String body : bodies) {
            for (String secret : secrets) {
                assertThat(body).doesNotContain(secret);
            }
        }

        // The pipeline's copy (monitors topic) has the channel ids only.
        List<byte[]> published = topicValues(UUID.fromString(monitorId), 2);
        for (byte[] value : published) {
            String text = new String(value, StandardCharsets.UTF_8);
            assertThat(text).contains(implicit.toString());
            secrets.forEach(s -> assertThat(text).doesNotContain(s));
        }
        assertNowhereInDatabase(secrets);

        // Dropping the webhook URL deletes the implicit channel.
        Response dropped =
                put(
                        tenant,
                        "/v1/monitors/" + monitorId,
                        monitorWithChannels("legacy", List.of(channelIds.get(0))));
        assertThat(dropped.status()).as(dropped.body()).isEqualTo(200);
        assertThat(store.get(tenant.id(), implicit)).isEmpty();
    }

    @Test
    void legacyPlaintextWebhookUrlsAreMovedIntoChannelsAtStart() throws Exception {
        Tenant tenant = harness.createTenant("legacy rows");
        String url = "https://hooks.example/old/" + secret("old");
        String deletedUrl = "https://hooks.example/gone/" + secret("gone");
        // Rows as a release before channels wrote them: plaintext in the spec and the outbox.
        MonitorSpec live = legacySpec(tenant.id(), url);
        MonitorSpec deleted = legacySpec(tenant.id(), deletedUrl);
        try (Connection c = harness.db.dataSource().getConnection()) {
            c.setAutoCommit(false); // published in the same transaction: the relay never sends them
            for (MonitorSpec spec : List.of(live, deleted)) {
                try (PreparedStatement ps =
                        c.prepareStatement(
                                "INSERT INTO monitors (id, tenant_id, version, name, status,"
                                        + " interval_seconds, spec, deleted_at) VALUES (?, ?, 1,"
                                        + " ?, 'active', 300, ?::jsonb, ?)")) {
                    ps.setObject(1, spec.id());
                    ps.setObject(2, spec.tenantId());
                    ps.setString(3, spec.name());
                    ps.setString(
                            4, new String(ModelCodec.toJsonBytes(spec), StandardCharsets.UTF_8));
                    ps.setObject(5, spec == deleted ? java.time.OffsetDateTime.now() : null);
                    ps.executeUpdate();
                }
                Outbox.append(c, MonitorEvent.upsert(spec));
            }
            c.createStatement()
                    .executeUpdate(
                            "UPDATE outbox SET published_at = now() WHERE published_at IS NULL"
                                    + " AND monitor_id IN ('"
                                    + live.id()
                                    + "', '"
                                    + deleted.id()
                                    + "')");
            c.commit();
        }

        // A restart migrates them; a second start finds nothing left to do.
        for (int start = 0; start < 2; start++) {
            ApiHarness.startOn(harness.db, harness.topic, b -> {}).close();
            JsonNode monitor = harness.get("/v1/monitors/" + live.id(), tenant).json();
            assertThat(monitor.get("version").asLong()).isEqualTo(2);
            assertThat(monitor.at("/notify/webhookUrl").isMissingNode()).isTrue();
            UUID implicit = UUID.fromString(monitor.at("/notify/channels/0").asText());
            ChannelStore.Channel channel = store.get(tenant.id(), implicit).orElseThrow();
            assertThat(channel.implicit()).isTrue();
            assertThat(channel.settings().url()).isEqualTo(url);
        }
        // The pipeline gets the cleaned spec (version 2) from the outbox.
        assertThat(topicValues(live.id(), 2)).isNotEmpty();
        assertNowhereInDatabase(List.of(url, deletedUrl));
    }

    private static MonitorSpec legacySpec(UUID tenantId, String webhookUrl) {
        UUID id = UUID.randomUUID();
        return new MonitorSpec(
                id,
                tenantId,
                1,
                "legacy " + id,
                List.of(Source.of("https://shop.example/" + id)),
                300,
                Condition.anyChange(),
                List.of(),
                Notify.ofWebhook(webhookUrl),
                MonitorStatus.ACTIVE);
    }

    /**
     * Every text, bytea, json and jsonb column of every table of the schema, searched for each
     * secret (bytea byte-wise, so a plaintext in a binary payload is found too).
     */
    private static void assertNowhereInDatabase(List<String> secrets) throws SQLException {
        try (Connection c = harness.db.dataSource().getConnection()) {
            List<String[]> columns = new ArrayList<>();
            try (ResultSet rs =
                    c.createStatement()
                            .executeQuery(
                                    "SELECT c.table_name, c.column_name, c.data_type"
                                            + " FROM information_schema.columns c"
                                            + " JOIN information_schema.tables t"
                                            + " ON t.table_schema = c.table_schema"
                                            + " AND t.table_name = c.table_name"
                                            + " WHERE c.table_schema = current_schema()"
                                            + " AND t.table_type = 'BASE TABLE'"
                                            + " AND c.data_type IN ('text', 'bytea', 'json',"
                                            + " 'jsonb', 'character varying', 'ARRAY')")) {
                while (rs.next()) {
                    columns.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                }
            }
            assertThat(columns)
                    .extracting(col -> col[0] + "." + col[1])
                    .contains(
                            "monitors.spec",
                            "outbox.payload",
                            "channels.settings_ciphertext",
                            "deliveries.target_ciphertext");
            for (String[] col : columns) {
                String match =
                        col[2].equals("bytea")
                                ? "position(convert_to(?, 'UTF8') IN \"%s\") > 0"
                                : "strpos(\"%s\"::text, ?) > 0";
                String sql =
                        "SELECT count(*) FROM \"" + col[0] + "\" WHERE " + match.formatted(col[1]);
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (String secret : secrets) {
                        ps.setString(1, secret);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            assertThat(rs.getLong(1))
                                    .as("rows of %s.%s holding a secret", col[0], col[1])
                                    .isZero();
                        }
                    }
                }
            }
        }
    }

    /** The monitor's records on the monitors topic, once its version {@code version} is there. */
    private static List<byte[]> topicValues(UUID monitorId, long version) {
        List<byte[]> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(TestKafka.consumerProperties(false))) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(harness.topic)
                    .forEach(p -> partitions.add(new TopicPartition(harness.topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long[] seen = {0};
            await().atMost(Duration.ofMinutes(1))
                    .until(
                            () -> {
                                for (ConsumerRecord<byte[], byte[]> r :
                                        consumer.poll(Duration.ofMillis(200))) {
                                    if (r.value() != null
                                            && monitorId
                                                    .toString()
                                                    .equals(
                                                            new String(
                                                                    r.key(),
                                                                    StandardCharsets.UTF_8))) {
                                        values.add(r.value());
                                        seen[0] =
                                                Math.max(
                                                        seen[0],
                                                        ModelCodec.decode(
                                                                        r.value(),
                                                                        MonitorEvent.class)
                                                                .version());
                                    }
                                }
                                return seen[0] >= version;
                            });
        }
        return values;
    }

    @Test
    void withoutAKeysetChannelsAndWebhooksAreUnavailable() {
        try (ApiHarness bare = ApiHarness.start(b -> b.deliverySecretKeyset(null))) {
            Tenant tenant = bare.createTenant("bare");
            Response channel =
                    bare.send(
                            "POST",
                            "/v1/channels",
                            tenant.auth(),
                            channelBody("n", "webhook", "{\"url\": \"https://hooks.example/x\"}"));
            assertThat(channel.status()).isEqualTo(503);
            Response monitor =
                    bare.send(
                            "POST",
                            "/v1/monitors",
                            tenant.auth(),
                            monitorWithWebhook("m", "https://hooks.example/x"));
            assertThat(monitor.status()).as(monitor.body()).isEqualTo(503);
            assertThat(monitor.errorFields().has("notify.webhookUrl")).isTrue();
        }
    }
}
