package dev.flinkwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkwatch.api.ApiHarness.Response;
import dev.flinkwatch.api.ApiHarness.Tenant;
import dev.flinkwatch.model.ModelCodec;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Batch create and imports over real HTTP, on real PostgreSQL and a real Kafka broker. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchImportIT {
    private ApiHarness harness;

    @BeforeAll
    void start() {
        harness = ApiHarness.start(b -> b.defaultMonitorQuota(5000));
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    @Test
    void oneBadItemAmongAHundredNamesEveryProblemAndCreatesNothing() throws Exception {
        Tenant tenant = harness.createTenant("All Or Nothing Ltd");
        List<String> monitors = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            monitors.add(ApiHarness.monitorBody("item " + i, "https://shop.example/item/" + i));
        }
        // Item 37 points at a private address (the SSRF check) and has no name.
        monitors.set(
                37,
                "{\"name\": \"\", \"sources\": [{\"url\": \"http://10.0.0.7/admin\"}],"
                        + " \"intervalSeconds\": 300, \"condition\": {\"type\": \"any_change\"}}");
        // Item 81 is not even a monitor's JSON shape.
        monitors.set(81, "{\"name\": \"wrong\", \"intervalSeconds\": \"often\"}");

        Response r = batch(tenant, monitors, Map.of());

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("validation_failed");
        JsonNode items = r.json().path("error").path("items");
        Set<String> problems = new HashSet<>();
        items.forEach(p -> problems.add(p.get("index").asInt() + ":" + p.get("field").asText()));
        assertThat(problems).contains("37:sources[0].url", "37:name", "81:intervalSeconds");
        assertThat(items).allSatisfy(p -> assertThat(p.get("index").asInt()).isIn(37, 81));
        assertThat(items.get(0).get("message").asText()).isNotBlank();
        assertThat(r.errorFields().has("monitors[37].sources[0].url")).isTrue();
        assertThat(rows("monitors", tenant.id())).isZero();
        assertThat(rows("outbox", tenant.id())).isZero();
    }

    @Test
    void aGoodBatchIsStoredInOrderAndEveryMonitorIsPublished() throws Exception {
        Tenant tenant = harness.createTenant("Batch Shop");
        List<String> monitors = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            monitors.add(ApiHarness.monitorBody("item " + i, "https://shop.example/item/" + i));
        }

        Response r = batch(tenant, monitors, Map.of());

        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode created = r.json().get("monitors");
        assertThat(created).hasSize(100);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            JsonNode m = created.get(i);
            assertThat(m.get("name").asText()).isEqualTo("item " + i);
            assertThat(m.get("version").asLong()).isEqualTo(1);
            assertThat(m.at("/sources/0/selector").asText()).isEqualTo("#price");
            ids.add(UUID.fromString(m.get("id").asText()));
        }
        Response one = harness.get("/v1/monitors/" + ids.get(42), tenant);
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().get("name").asText()).isEqualTo("item 42");
        assertThat(one.json().get("createdAt")).isEqualTo(created.get(42).get("createdAt"));
        assertThat(rows("monitors", tenant.id())).isEqualTo(100);
        assertThat(rows("outbox", tenant.id())).isEqualTo(100);

        Map<UUID, List<MonitorsTopic.Entry>> topic =
                MonitorsTopic.read(
                        harness.topic,
                        seen -> seen.keySet().containsAll(ids),
                        Duration.ofMinutes(2));
        for (UUID id : ids) {
            assertThat(topic.get(id)).as("events of " + id).containsExactly(upsert(1));
        }
    }

    @Test
    void aRetriedBatchWithTheSameIdempotencyKeyCreatesNothingMoreAndOtherTenantsAreApart() {
        Tenant a = harness.createTenant("Retry A");
        Tenant b = harness.createTenant("Retry B");
        List<String> monitors =
                List.of(
                        ApiHarness.monitorBody("one", "https://shop.example/one"),
                        ApiHarness.monitorBody("two", "https://shop.example/two"));
        Map<String, String> key = Map.of("Idempotency-Key", "import-2026-12-02-001");

        Response first = batch(a, monitors, key);
        Response retry = batch(a, monitors, key);
        Response otherTenant = batch(b, monitors, key);

        assertThat(first.status()).as(first.body()).isEqualTo(201);
        assertThat(retry.status()).as(retry.body()).isEqualTo(200);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(ids(retry.json())).isEqualTo(ids(first.json()));
        assertThat(rows("monitors", a.id())).isEqualTo(2);
        assertThat(otherTenant.status()).as(otherTenant.body()).isEqualTo(201);
        assertThat(ids(otherTenant.json())).doesNotContainAnyElementsOf(ids(first.json()));
        // Lists are in id order, batches in request order.
        assertThat(ids(harness.get("/v1/monitors", b).json().get("items")))
                .containsExactlyInAnyOrderElementsOf(ids(otherTenant.json()));
        assertThat(harness.get("/v1/monitors/" + ids(first.json()).get(0), b).status())
                .isEqualTo(404);

        // The key of a two-item request used for other requests: refused, nothing created.
        Response other =
                batch(
                        a,
                        List.of(
                                ApiHarness.monitorBody("x", "https://shop.example/x"),
                                ApiHarness.monitorBody("y", "https://shop.example/y")),
                        key);
        Response fewer = batch(a, List.of(monitors.get(0)), key);
        Response more = batch(a, List.of(monitors.get(0), monitors.get(1), monitors.get(0)), key);
        for (Response refused : List.of(other, fewer, more)) {
            assertThat(refused.status()).as(refused.body()).isEqualTo(409);
            assertThat(refused.errorCode()).isEqualTo("idempotency_key_reused");
        }
        assertThat(rows("monitors", a.id())).isEqualTo(2);
    }

    @Test
    void limitsItemCountBodySizeAndQuotaAreEnforcedBeforeAnythingIsStored() {
        Tenant tenant = harness.createTenant("Limits Ltd");
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            tooMany.add(ApiHarness.monitorBody("m" + i, "https://shop.example/m/" + i));
        }
        Response many = batch(tenant, tooMany, Map.of());
        assertThat(many.status()).isEqualTo(400);
        assertThat(many.errorFields().get("monitors").asText()).contains("at most 1000");

        Response empty =
                harness.send("POST", "/v1/monitors/batch", tenant.auth(), "{\"monitors\": []}");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.errorFields().has("monitors")).isTrue();

        String huge = "{\"monitors\": [\"" + "x".repeat(4 * 1024 * 1024) + "\"]}";
        Response tooLarge = harness.send("POST", "/v1/monitors/batch", tenant.auth(), huge);
        assertThat(tooLarge.status()).isEqualTo(413);

        JsonNode small =
                harness.admin("POST", "/v1/tenants", "{\"name\": \"Small\", \"monitorQuota\": 10}")
                        .json();
        Tenant limited =
                new Tenant(
                        UUID.fromString(small.get("id").asText()),
                        small.get("apiKey").asText(),
                        UUID.fromString(small.get("keyId").asText()));
        Response over = batch(limited, tooMany.subList(0, 11), Map.of());
        assertThat(over.status()).as(over.body()).isEqualTo(409);
        assertThat(over.errorCode()).isEqualTo("quota_exceeded");
        assertThat(batch(limited, tooMany.subList(0, 10), Map.of()).status()).isEqualTo(201);
        assertThat(rows("monitors", limited.id())).isEqualTo(10);
    }

    @Test
    void aUrlListImportsWithDefaultsFromQueryParameters() {
        Tenant tenant = harness.createTenant("Url List Co");
        String list =
                "# moved from another tool\n"
                        + "https://shop.example/p/1\n"
                        + "\n"
                        + "https://shop.example/p/2  Second product\n";
        Response r =
                harness.sendRaw(
                        "POST",
                        "/v1/imports/urls?selector=%23price&intervalSeconds=900&contains=In%20stock",
                        Map.of(
                                "Authorization",
                                "Bearer " + tenant.apiKey(),
                                "Content-Type",
                                "text/plain; charset=utf-8"),
                        HttpRequest.BodyPublishers.ofString(list));

        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode monitors = r.json().get("monitors");
        assertThat(monitors).hasSize(2);
        assertThat(monitors.get(0).get("name").asText()).isEqualTo("https://shop.example/p/1");
        assertThat(monitors.get(1).get("name").asText()).isEqualTo("Second product");
        for (JsonNode m : monitors) {
            assertThat(m.at("/sources/0/selector").asText()).isEqualTo("#price");
            assertThat(m.get("intervalSeconds").asInt()).isEqualTo(900);
            assertThat(m.at("/condition/type").asText()).isEqualTo("contains");
            assertThat(m.at("/condition/text").asText()).isEqualTo("In stock");
        }

        Response json =
                harness.send(
                        "POST",
                        "/v1/imports/urls",
                        tenant.auth(),
                        "{\"urls\": [\"https://shop.example/j/1\", \"ftp://shop.example/j/2\"],"
                                + " \"defaults\": {\"selector\": \"main\", \"intervalSeconds\": 600}}");
        assertThat(json.status()).as(json.body()).isEqualTo(400);
        assertThat(json.errorFields().has("urls[1].sources[0].url")).isTrue();
        assertThat(rows("monitors", tenant.id())).isEqualTo(2);
    }

    @Test
    void aDistillExportImportsAllOrNothingAndMapsItsFields() throws Exception {
        Tenant tenant = harness.createTenant("Distill Movers");
        ObjectNode export;
        try (InputStream in = getClass().getResourceAsStream("/imports/distill-export.json")) {
            export = (ObjectNode) ModelCodec.mapper().readTree(in);
        }

        Response withXPath = distill(tenant, export.toString());
        assertThat(withXPath.status()).as(withXPath.body()).isEqualTo(400);
        JsonNode problem = withXPath.json().at("/error/items/0");
        assertThat(problem.get("index").asInt()).isZero();
        assertThat(problem.get("field").asText())
                .isEqualTo("config.selections[0].frames[0].includes[0].type");
        assertThat(withXPath.json().at("/error/items")).hasSize(1);
        assertThat(rows("monitors", tenant.id())).isZero();

        ((ArrayNode) export.get("data")).remove(0);
        Response r = distill(tenant, export.toString());
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode monitors = r.json().get("monitors");
        assertThat(monitors).hasSize(4);
        assertThat(monitors.get(0).get("name").asText()).isEqualTo("Widget price");
        assertThat(monitors.get(0).at("/sources/0/url").asText())
                .isEqualTo("https://shop.example/widget");
        assertThat(monitors.get(0).at("/sources/0/selector").asText()).isEqualTo("#price");
        assertThat(monitors.get(0).get("intervalSeconds").asInt()).isEqualTo(3600);
        assertThat(monitors.get(1).at("/sources/0/selector").asText())
                .isEqualTo("h2.release, div.release-date");
        assertThat(monitors.get(3).get("name").asText())
                .isEqualTo("https://jobs.example.com/openings");
        assertThat(monitors.get(3).at("/sources/0/selector").isMissingNode()).isTrue();
        JsonNode notes = r.json().get("notes");
        assertThat(notes).isNotEmpty();
        assertThat(notes.get(0).get("field").asText())
                .isEqualTo("config.selections[0].frames[0].excludes");
        assertThat(rows("monitors", tenant.id())).isEqualTo(4);
        assertThat(rows("outbox", tenant.id())).isEqualTo(4);
    }

    private Response batch(Tenant tenant, List<String> monitors, Map<String, String> headers) {
        Map<String, String> all = new java.util.HashMap<>(tenant.auth());
        all.putAll(headers);
        return harness.send(
                "POST",
                "/v1/monitors/batch",
                all,
                "{\"monitors\": [" + String.join(",", monitors) + "]}");
    }

    private Response distill(Tenant tenant, String body) {
        return harness.sendRaw(
                "POST",
                "/v1/imports/distill",
                Map.of(
                        "Authorization",
                        "Bearer " + tenant.apiKey(),
                        "Content-Type",
                        "application/json"),
                HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }

    private static List<UUID> ids(JsonNode monitorsOrItems) {
        JsonNode list =
                monitorsOrItems.has("monitors") ? monitorsOrItems.get("monitors") : monitorsOrItems;
        List<UUID> ids = new ArrayList<>();
        list.forEach(m -> ids.add(UUID.fromString(m.get("id").asText())));
        return ids;
    }

    private static MonitorsTopic.Entry upsert(long version) {
        return new MonitorsTopic.Entry("upsert", version);
    }

    private long rows(String table, UUID tenantId) {
        try (Connection c = harness.db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT count(*) FROM " + table + " WHERE tenant_id = ?")) {
            ps.setObject(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
