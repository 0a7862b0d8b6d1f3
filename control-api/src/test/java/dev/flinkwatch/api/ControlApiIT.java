package dev.flinkwatch.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.api.ApiHarness.Response;
import dev.flinkwatch.api.ApiHarness.Tenant;
import dev.flinkwatch.api.MonitorsTopic.Entry;
import dev.flinkwatch.api.ops.ReadinessCheck;
import dev.flinkwatch.embedded.KafkaBroker;
import dev.flinkwatch.testing.TestKafka;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The control API over real HTTP, on real PostgreSQL and a real Kafka broker. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlApiIT {
    private ApiHarness harness;

    @BeforeAll
    void start() {
        harness = ApiHarness.start(b -> b.defaultMonitorQuota(50));
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    @Test
    void fullLifecycleOverHttpPublishesVersionsInOrderEndingWithDeleteAndTombstone()
            throws Exception {
        Tenant tenant = harness.createTenant("Lifecycle Inc");

        Response created =
                harness.send(
                        "POST",
                        "/v1/monitors",
                        tenant.auth(),
                        ApiHarness.monitorBody("Widget price", "https://shop.example/widget"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode monitor = created.json();
        UUID id = UUID.fromString(monitor.get("id").asText());
        assertThat(created.headers().firstValue("Location")).hasValue("/v1/monitors/" + id);
        assertThat(monitor.get("version").asLong()).isEqualTo(1);
        assertThat(monitor.get("status").asText()).isEqualTo("active");
        assertThat(monitor.get("name").asText()).isEqualTo("Widget price");
        assertThat(monitor.at("/sources/0/selector").asText()).isEqualTo("#price");
        assertThat(monitor.at("/condition/op").asText()).isEqualTo("<");
        assertThat(monitor.at("/ignore/0").asText()).isEqualTo("\\d+ people viewing");
        // The legacy webhook URL is kept only as the monitor's implicit (encrypted) channel.
        assertThat(monitor.at("/notify/webhookUrl").isMissingNode()).isTrue();
        assertThat(monitor.at("/notify/channels")).hasSize(1);
        Response implicit =
                harness.get("/v1/channels/" + monitor.at("/notify/channels/0").asText(), tenant);
        assertThat(implicit.json().get("implicit").asBoolean()).isTrue();
        assertThat(implicit.json().at("/settings/url").asText())
                .isEqualTo("https://hooks.example/…/••••");
        assertThat(monitor.get("createdAt").asText()).isNotEmpty();
        assertThat(monitor.get("lastCheckAt").isNull()).isTrue();
        assertThat(monitor.get("consecutiveFailures").asInt()).isZero();

        Response read = harness.get("/v1/monitors/" + id, tenant);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json()).isEqualTo(monitor);

        Response list = harness.get("/v1/monitors", tenant);
        assertThat(ids(list.json())).containsExactly(id);

        Response replaced =
                harness.send(
                        "PUT",
                        "/v1/monitors/" + id,
                        tenant.auth(),
                        """
                        {"name": "Widget in stock",
                         "sources": [{"url": "https://shop.example/widget"}],
                         "intervalSeconds": 600,
                         "condition": {"type": "contains", "text": "In stock", "ignoreCase": true}}
                        """);
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertThat(replaced.json().get("version").asLong()).isEqualTo(2);
        assertThat(replaced.json().get("intervalSeconds").asInt()).isEqualTo(600);
        assertThat(replaced.json().at("/condition/type").asText()).isEqualTo("contains");
        assertThat(replaced.json().get("notify").isNull()).isTrue();

        Response paused =
                harness.send("POST", "/v1/monitors/" + id + "/pause", tenant.auth(), null);
        assertThat(paused.status()).isEqualTo(200);
        assertThat(paused.json().get("status").asText()).isEqualTo("paused");
        assertThat(paused.json().get("version").asLong()).isEqualTo(3);
        Response pausedAgain =
                harness.send("POST", "/v1/monitors/" + id + "/pause", tenant.auth(), null);
        assertThat(pausedAgain.json().get("version").asLong())
                .as("pausing a paused monitor changes nothing")
                .isEqualTo(3);
        Response resumed =
                harness.send("POST", "/v1/monitors/" + id + "/resume", tenant.auth(), null);
        assertThat(resumed.json().get("status").asText()).isEqualTo("active");
        assertThat(resumed.json().get("version").asLong()).isEqualTo(4);

        // What the pipeline writes shows up in the monitor, its alerts and its checks.
        Instant checkedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        PipelineRows.status(harness.db.dataSource(), id, tenant.id(), checkedAt);
        PipelineRows.alert(harness.db.dataSource(), id, tenant.id(), "alert-" + id, checkedAt);
        PipelineRows.checkRun(harness.db.dataSource(), id, tenant.id(), checkedAt);
        PipelineRows.delivered(harness.db.dataSource(), id, tenant.id(), "alert-" + id, checkedAt);
        JsonNode live = harness.get("/v1/monitors/" + id, tenant).json();
        assertThat(Instant.parse(live.get("lastCheckAt").asText())).isEqualTo(checkedAt);
        assertThat(live.get("lastOutcome").asText()).isEqualTo("ERROR");
        assertThat(live.get("lastError").asText()).startsWith("TIMEOUT");
        assertThat(live.get("consecutiveFailures").asInt()).isEqualTo(2);
        assertThat(live.get("lastChangeAt").isNull()).isFalse();
        JsonNode alerts = harness.get("/v1/monitors/" + id + "/alerts", tenant).json();
        assertThat(alerts.at("/items/0/id").asText()).isEqualTo("alert-" + id);
        assertThat(alerts.at("/items/0/kind").asText()).isEqualTo("CONDITION_MET");
        assertThat(alerts.at("/items/0/deliveries/0/status").asText()).isEqualTo("delivered");
        assertThat(alerts.at("/items/0/deliveries/0/attempts").asInt()).isEqualTo(2);
        assertThat(alerts.at("/items/0/deliveries/0/lastHttpStatus").asInt()).isEqualTo(204);
        assertThat(Instant.parse(alerts.at("/items/0/deliveries/0/deliveredAt").asText()))
                .isEqualTo(checkedAt);
        assertThat(harness.get("/v1/alerts", tenant).json().get("items")).hasSize(1);
        assertThat(harness.get("/v1/alerts", tenant).json().at("/items/0/deliveries")).hasSize(1);
        JsonNode checks = harness.get("/v1/monitors/" + id + "/checks", tenant).json();
        assertThat(checks.at("/items/0/outcome").asText()).isEqualTo("CHANGED");
        assertThat(checks.at("/items/0/httpStatus").asInt()).isEqualTo(200);

        Response deleted = harness.send("DELETE", "/v1/monitors/" + id, tenant.auth(), null);
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(harness.get("/v1/monitors/" + id, tenant).status()).isEqualTo(404);
        assertThat(ids(harness.get("/v1/monitors", tenant).json())).isEmpty();
        assertThat(harness.get("/v1/alerts", tenant).json().get("items")).isEmpty();
        assertThat(harness.send("DELETE", "/v1/monitors/" + id, tenant.auth(), null).status())
                .isEqualTo(404);

        Map<UUID, List<Entry>> topic =
                MonitorsTopic.read(
                        harness.topic,
                        seen -> MonitorsTopic.converged(seen.get(id), 5, true),
                        Duration.ofSeconds(60));
        List<Entry> events = MonitorsTopic.distinctInOrder(topic.get(id));
        assertThat(MonitorsTopic.expected(5, true)).containsAll(events);
        assertThat(events).endsWith(new Entry("delete", 5), Entry.TOMBSTONE);
        awaitEmptyOutbox();
    }

    @Test
    void writesSucceedWhileKafkaIsDownAndEveryMonitorsNewestStateArrivesAfterItRestarts()
            throws Exception {
        Tenant tenant = harness.createTenant("Outage Ltd");
        KafkaBroker broker = TestKafka.broker();
        Map<UUID, Long> lastVersion = new LinkedHashMap<>();
        Set<UUID> deleted = new java.util.HashSet<>();
        broker.stop();
        try {
            for (int i = 0; i < 6; i++) {
                UUID id =
                        UUID.fromString(
                                harness.createMonitor(
                                                tenant,
                                                ApiHarness.monitorBody(
                                                        "outage " + i,
                                                        "https://shop.example/item/" + i))
                                        .get("id")
                                        .asText());
                lastVersion.put(id, 1L);
            }
            for (UUID id : lastVersion.keySet()) {
                assertThat(
                                harness.send(
                                                "POST",
                                                "/v1/monitors/" + id + "/pause",
                                                tenant.auth(),
                                                null)
                                        .status())
                        .isEqualTo(200);
                assertThat(
                                harness.send(
                                                "POST",
                                                "/v1/monitors/" + id + "/resume",
                                                tenant.auth(),
                                                null)
                                        .status())
                        .isEqualTo(200);
                lastVersion.put(id, 3L);
            }
            UUID gone = lastVersion.keySet().iterator().next();
            assertThat(harness.send("DELETE", "/v1/monitors/" + gone, tenant.auth(), null).status())
                    .isEqualTo(204);
            lastVersion.put(gone, 4L);
            deleted.add(gone);
            // Outlast the producer's delivery timeout: rounds fail, rows stay pending with their
            // attempts and error recorded, and the relay backs off and retries.
            await().atMost(Duration.ofMinutes(2))
                    .until(() -> failedRelayRounds() >= 2 && attemptedRows(tenant.id()) > 0);
            // Each monitor's newest row supersedes its older pending ones, except rows a failing
            // relay round held at that moment: between one and all three rows per monitor.
            assertThat(pendingOutboxRows(tenant.id())).isBetween(6L, 6L * 3 + 1);
            assertThat(metric("flinkwatch_outbox_backlog")).isGreaterThanOrEqualTo(6);
            assertThat(metric("flinkwatch_outbox_oldest_age_seconds")).isGreaterThan(1);
            JsonNode late =
                    harness.createMonitor(
                            tenant, ApiHarness.monitorBody("late", "https://shop.example/late"));
            lastVersion.put(UUID.fromString(late.get("id").asText()), 1L);
        } finally {
            broker.start();
        }

        Map<UUID, List<Entry>> topic =
                MonitorsTopic.read(
                        harness.topic,
                        seen ->
                                lastVersion.entrySet().stream()
                                        .allMatch(
                                                e ->
                                                        MonitorsTopic.converged(
                                                                seen.get(e.getKey()),
                                                                e.getValue(),
                                                                deleted.contains(e.getKey()))),
                        Duration.ofMinutes(3));
        for (Map.Entry<UUID, Long> e : lastVersion.entrySet()) {
            List<Entry> events = topic.get(e.getKey());
            assertThat(events).as("events of %s", e.getKey()).isNotNull();
            assertThat(MonitorsTopic.expected(e.getValue(), deleted.contains(e.getKey())))
                    .as("events of %s: none out of order, the newest state last", e.getKey())
                    .containsAll(MonitorsTopic.distinctInOrder(events));
            assertThat(MonitorsTopic.converged(events, e.getValue(), deleted.contains(e.getKey())))
                    .isTrue();
        }
        awaitEmptyOutbox();
    }

    @Test
    void anotherTenantGets404OnEveryRouteAndSeesNoneOfTheData() throws Exception {
        Tenant a = harness.createTenant("Tenant A");
        Tenant b = harness.createTenant("Tenant B");
        UUID monitor =
                UUID.fromString(
                        harness.createMonitor(
                                        a, ApiHarness.monitorBody("A's", "https://a.example/"))
                                .get("id")
                                .asText());
        Instant now = Instant.now();
        PipelineRows.alert(harness.db.dataSource(), monitor, a.id(), "a-alert-" + monitor, now);
        PipelineRows.checkRun(harness.db.dataSource(), monitor, a.id(), now);
        String body = ApiHarness.monitorBody("B's attempt", "https://b.example/");

        Map<String, Response> attempts = new LinkedHashMap<>();
        attempts.put("GET", harness.get("/v1/monitors/" + monitor, b));
        attempts.put("PUT", harness.send("PUT", "/v1/monitors/" + monitor, b.auth(), body));
        attempts.put(
                "pause",
                harness.send("POST", "/v1/monitors/" + monitor + "/pause", b.auth(), null));
        attempts.put(
                "resume",
                harness.send("POST", "/v1/monitors/" + monitor + "/resume", b.auth(), null));
        attempts.put("alerts", harness.get("/v1/monitors/" + monitor + "/alerts", b));
        attempts.put("checks", harness.get("/v1/monitors/" + monitor + "/checks", b));
        attempts.put("DELETE", harness.send("DELETE", "/v1/monitors/" + monitor, b.auth(), null));
        attempts.put(
                "revoke A's key", harness.send("DELETE", "/v1/keys/" + a.keyId(), b.auth(), null));
        Response unknown = harness.get("/v1/monitors/" + UUID.randomUUID(), b);
        attempts.forEach(
                (route, r) -> {
                    assertThat(r.status()).as(route + ": " + r.body()).isEqualTo(404);
                    assertThat(r.errorCode()).as(route).isEqualTo("not_found");
                });
        // Another tenant's id and an unknown id are indistinguishable.
        assertThat(attempts.get("GET").body()).isEqualTo(unknown.body());

        assertThat(ids(harness.get("/v1/monitors", b).json())).isEmpty();
        assertThat(harness.get("/v1/alerts", b).json().get("items")).isEmpty();
        JsonNode stillThere = harness.get("/v1/monitors/" + monitor, a).json();
        assertThat(stillThere.get("version").asLong()).isEqualTo(1);
        assertThat(stillThere.get("status").asText()).isEqualTo("active");
        assertThat(harness.get("/v1/alerts", a).json().get("items")).hasSize(1);
        assertThat(harness.get("/v1/monitors/" + monitor + "/checks", a).json().get("items"))
                .hasSize(1);
    }

    @Test
    void revokedKeysGet401AndOtherKeysKeepWorking() {
        Tenant tenant = harness.createTenant("Keys Co");
        Response second = harness.admin("POST", "/v1/tenants/" + tenant.id() + "/keys", null);
        assertThat(second.status()).as(second.body()).isEqualTo(201);
        String secondKey = second.json().get("apiKey").asText();
        UUID secondKeyId = UUID.fromString(second.json().get("id").asText());
        Tenant withSecond = new Tenant(tenant.id(), secondKey, secondKeyId);
        assertThat(secondKey).isNotEqualTo(tenant.apiKey());

        assertThat(harness.get("/v1/monitors", tenant).status()).isEqualTo(200);
        // The tenant revokes its first key with that same key.
        assertThat(
                        harness.send("DELETE", "/v1/keys/" + tenant.keyId(), tenant.auth(), null)
                                .status())
                .isEqualTo(204);
        Response revoked = harness.get("/v1/monitors", tenant);
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.errorCode()).isEqualTo("unauthorized");
        assertThat(revoked.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(harness.get("/v1/monitors", withSecond).status()).isEqualTo(200);

        // The operator revokes the second one.
        assertThat(harness.admin("DELETE", "/v1/keys/" + secondKeyId, null).status())
                .isEqualTo(204);
        assertThat(harness.get("/v1/monitors", withSecond).status()).isEqualTo(401);
        assertThat(
                        harness.admin("POST", "/v1/tenants/" + UUID.randomUUID() + "/keys", null)
                                .status())
                .isEqualTo(404);
    }

    @Test
    void adminRoutesRefuseMissingOrWrongTokensAndTenantKeys() {
        Tenant tenant = harness.createTenant("Not an admin");
        String body = "{\"name\": \"sneaky\"}";
        assertThat(harness.send("POST", "/v1/tenants", Map.of(), body).status()).isEqualTo(401);
        assertThat(
                        harness.send(
                                        "POST",
                                        "/v1/tenants",
                                        Map.of("X-Admin-Token", ApiHarness.ADMIN_TOKEN + "x"),
                                        body)
                                .status())
                .isEqualTo(401);
        assertThat(harness.send("POST", "/v1/tenants", tenant.auth(), body).status())
                .isEqualTo(401);
        assertThat(
                        harness.send(
                                        "POST",
                                        "/v1/tenants/" + tenant.id() + "/keys",
                                        tenant.auth(),
                                        null)
                                .status())
                .isEqualTo(401);
    }

    @Test
    void quotaCountsLiveMonitorsOnly() {
        Response created =
                harness.admin("POST", "/v1/tenants", "{\"name\": \"Small\", \"monitorQuota\": 2}");
        Tenant small =
                new Tenant(
                        UUID.fromString(created.json().get("id").asText()),
                        created.json().get("apiKey").asText(),
                        UUID.fromString(created.json().get("keyId").asText()));
        String first =
                harness.createMonitor(small, ApiHarness.monitorBody("1", "https://q.example/1"))
                        .get("id")
                        .asText();
        harness.createMonitor(small, ApiHarness.monitorBody("2", "https://q.example/2"));
        Response over =
                harness.send(
                        "POST",
                        "/v1/monitors",
                        small.auth(),
                        ApiHarness.monitorBody("3", "https://q.example/3"));
        assertThat(over.status()).isEqualTo(409);
        assertThat(over.errorCode()).isEqualTo("quota_exceeded");
        assertThat(harness.send("DELETE", "/v1/monitors/" + first, small.auth(), null).status())
                .isEqualTo(204);
        harness.createMonitor(small, ApiHarness.monitorBody("3", "https://q.example/3"));
    }

    @Test
    void listsPageThroughEveryMonitorOnceInAStableOrder() {
        Tenant tenant = harness.createTenant("Pager");
        List<UUID> all = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            all.add(
                    UUID.fromString(
                            harness.createMonitor(
                                            tenant,
                                            ApiHarness.monitorBody(
                                                    "m" + i, "https://p.example/" + i))
                                    .get("id")
                                    .asText()));
        }
        List<UUID> seen = new ArrayList<>();
        String cursor = null;
        List<Integer> pageSizes = new ArrayList<>();
        do {
            Response page =
                    harness.get(
                            "/v1/monitors?limit=3" + (cursor == null ? "" : "&cursor=" + cursor),
                            tenant);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            List<UUID> ids = ids(page.json());
            pageSizes.add(ids.size());
            seen.addAll(ids);
            cursor =
                    page.json().get("nextCursor").isNull()
                            ? null
                            : page.json().get("nextCursor").asText();
        } while (cursor != null);
        assertThat(pageSizes).containsExactly(3, 3, 1);
        // PostgreSQL orders uuids bytewise, like their lower-case text (UUID.compareTo is signed).
        assertThat(seen)
                .containsExactlyElementsOf(
                        all.stream().sorted(Comparator.comparing(UUID::toString)).toList());

        Response badCursor = harness.get("/v1/monitors?cursor=not-a-cursor", tenant);
        assertThat(badCursor.status()).isEqualTo(400);
        assertThat(badCursor.errorFields().has("cursor")).isTrue();
    }

    @Test
    void alertsAreNewestFirstFilteredBySinceAndPaged() throws Exception {
        Tenant tenant = harness.createTenant("Alerted");
        UUID monitor =
                UUID.fromString(
                        harness.createMonitor(
                                        tenant, ApiHarness.monitorBody("a", "https://al.example/"))
                                .get("id")
                                .asText());
        Instant base = Instant.parse("2025-06-01T12:00:00Z");
        for (int i = 0; i < 5; i++) {
            PipelineRows.alert(
                    harness.db.dataSource(),
                    monitor,
                    tenant.id(),
                    "k" + i + monitor,
                    base.plusSeconds(i));
        }
        // Two alerts at the same instant must both be returned across pages.
        PipelineRows.alert(
                harness.db.dataSource(),
                monitor,
                tenant.id(),
                "tie" + monitor,
                base.plusSeconds(4));
        List<String> keys = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page =
                    harness.get(
                                    "/v1/alerts?limit=2"
                                            + (cursor == null ? "" : "&cursor=" + cursor),
                                    tenant)
                            .json();
            page.get("items").forEach(a -> keys.add(a.get("id").asText()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        } while (cursor != null);
        assertThat(keys).hasSize(6).doesNotHaveDuplicates();
        assertThat(keys.subList(2, 6))
                .containsExactly("k3" + monitor, "k2" + monitor, "k1" + monitor, "k0" + monitor);
        JsonNode recent =
                harness.get(
                                "/v1/monitors/" + monitor + "/alerts?since=2025-06-01T12:00:03Z",
                                tenant)
                        .json();
        assertThat(recent.get("items")).hasSize(3);
        Response badSince = harness.get("/v1/alerts?since=yesterday", tenant);
        assertThat(badSince.status()).isEqualTo(400);
        assertThat(badSince.errorFields().has("since")).isTrue();
    }

    @Test
    void healthReadinessAndMetrics() {
        assertThat(harness.send("GET", "/healthz", Map.of(), null).status()).isEqualTo(200);
        Response ready = harness.admin("GET", "/readyz", null);
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().at("/checks/database").asText()).isEqualTo("ok");
        assertThat(ready.json().at("/checks/outbox-relay").asText()).isEqualTo("ok");

        Tenant tenant = harness.createTenant("Metered");
        harness.get("/v1/monitors", tenant);
        String metrics = harness.send("GET", "/metrics", Map.of(), null).body();
        assertThat(metrics)
                .contains(
                        "http_server_requests_seconds_count{method=\"GET\",route=\"/v1/monitors\",status=\"200\"}")
                .contains(
                        "http_server_requests_seconds_bucket{method=\"GET\",route=\"/v1/monitors\",status=\"200\"")
                .contains("flinkwatch_outbox_backlog")
                .contains("flinkwatch_outbox_oldest_age_seconds")
                .contains("hikaricp_connections_active{pool=\"control-api\"}")
                .contains("hikaricp_connections_pending{pool=\"control-api\"}")
                .contains("hikaricp_connections_acquire_seconds_count{pool=\"control-api\"}");
        assertThat(metric("hikaricp_connections_max")).isPositive();
        assertThat(metric("hikaricp_connections_acquire_seconds_count"))
                .as("connections taken for the requests above")
                .isPositive();
        assertThat(metric("flinkwatch_outbox_backlog")).isNotNaN().isGreaterThanOrEqualTo(0);
        assertThat(metric("flinkwatch_outbox_oldest_age_seconds")).isNotNaN();
    }

    @Test
    void readinessChecksAddedByTheEmbedderCount() throws Exception {
        try (ApiHarness second = ApiHarness.startOn(harness.db, harness.topic, b -> {})) {
            second.api.addReadinessCheck(
                    new ReadinessCheck(
                            "flink-job",
                            () -> {
                                throw new IllegalStateException("job is RESTARTING");
                            }));
            Response notReady = second.admin("GET", "/readyz", null);
            assertThat(notReady.status()).isEqualTo(503);
            assertThat(notReady.json().get("status").asText()).isEqualTo("not_ready");
            assertThat(notReady.json().at("/checks/database").asText()).isEqualTo("ok");
            assertThat(notReady.json().at("/checks/flink-job").asText())
                    .contains("job is RESTARTING");
        }
    }

    @Test
    void readinessShowsOnlyTheStatusToCallersWithoutTheAdminToken() throws Exception {
        try (ApiHarness second = ApiHarness.startOn(harness.db, harness.topic, b -> {})) {
            second.api.addReadinessCheck(
                    new ReadinessCheck(
                            "kafka",
                            () -> {
                                throw new IllegalStateException(
                                        "no broker at kafka-0.internal:9092 (10.1.2.3)");
                            }));
            Response anonymous = second.send("GET", "/readyz", Map.of(), null);
            assertThat(anonymous.status()).isEqualTo(503);
            assertThat(anonymous.json().get("status").asText()).isEqualTo("not_ready");
            assertThat(anonymous.json().has("checks")).isFalse();
            assertThat(anonymous.body())
                    .doesNotContain("internal")
                    .doesNotContain("10.1.2.3")
                    .doesNotContain("Exception");

            Response operator = second.admin("GET", "/readyz", null);
            assertThat(operator.status()).isEqualTo(503);
            assertThat(operator.json().at("/checks/kafka").asText())
                    .isEqualTo(
                            "failed: IllegalStateException: no broker at kafka-0.internal:9092"
                                    + " (10.1.2.3)");

            Response wrongToken =
                    second.send(
                            "GET", "/readyz", Map.of("X-Admin-Token", "guess-guess-guess"), null);
            assertThat(wrongToken.status()).isEqualTo(401);
            assertThat(wrongToken.body()).doesNotContain("10.1.2.3");
        }
        Response healthy = harness.send("GET", "/readyz", Map.of(), null);
        assertThat(healthy.status()).isEqualTo(200);
        assertThat(healthy.json()).hasSize(1);
        assertThat(healthy.json().get("status").asText()).isEqualTo("ready");
    }

    @Test
    void openApiDocumentsExactlyTheRoutesThatExist() throws IOException {
        JsonNode doc = harness.send("GET", "/openapi.json", Map.of(), null).json();
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        Set<String> documented = new java.util.TreeSet<>();
        doc.get("paths")
                .fields()
                .forEachRemaining(
                        path ->
                                path.getValue()
                                        .fieldNames()
                                        .forEachRemaining(
                                                method -> {
                                                    if (!method.equals("parameters")) {
                                                        documented.add(
                                                                method.toUpperCase()
                                                                        + " "
                                                                        + path.getKey());
                                                    }
                                                }));
        Set<String> served =
                harness.api.routes().stream()
                        .map(r -> r.method().name() + " " + r.path())
                        .collect(Collectors.toCollection(java.util.TreeSet::new));
        assertThat(documented).isEqualTo(served);

        // And each documented operation is answered by a route, not by "no such route".
        for (String operation : documented) {
            String[] parts = operation.split(" ", 2);
            String path = parts[1].replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
            Response r =
                    harness.send(
                            parts[0],
                            path,
                            Map.of(),
                            parts[0].equals("GET") || parts[0].equals("DELETE") ? null : "{}");
            assertThat(r.status()).as(operation).isNotIn(405);
            if (r.status() == 404) {
                assertThat(r.json().at("/error/message").asText())
                        .as(operation)
                        .isNotEqualTo("no such route");
            }
        }
    }

    private void awaitEmptyOutbox() {
        await().atMost(Duration.ofMinutes(2)).until(() -> pendingOutboxRows(null) == 0);
    }

    private long pendingOutboxRows(UUID tenantOrNull) throws Exception {
        try (Connection c = harness.db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT count(*) FROM outbox WHERE published_at IS NULL"
                                        + " AND (?::uuid IS NULL OR tenant_id = ?)")) {
            ps.setObject(1, tenantOrNull);
            ps.setObject(2, tenantOrNull);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private double failedRelayRounds() {
        return metric("flinkwatch_outbox_failed_rounds_total");
    }

    /** A metric's value from /metrics, summed over its series. */
    private double metric(String name) {
        String metrics = harness.send("GET", "/metrics", Map.of(), null).body();
        return metrics.lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private long attemptedRows(UUID tenant) throws Exception {
        try (Connection c = harness.db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT count(*) FROM outbox WHERE published_at IS NULL"
                                        + " AND attempts > 0 AND last_error IS NOT NULL"
                                        + " AND tenant_id = ?")) {
            ps.setObject(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static List<UUID> ids(JsonNode page) {
        List<UUID> ids = new ArrayList<>();
        page.get("items").forEach(m -> ids.add(UUID.fromString(m.get("id").asText())));
        return ids;
    }
}
