package dev.flinkwatch.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.rometools.rome.feed.synd.SyndEntry;
import com.rometools.rome.feed.synd.SyndFeed;
import com.rometools.rome.io.SyndFeedInput;
import dev.flinkwatch.api.ApiHarness.Response;
import dev.flinkwatch.api.ApiHarness.Tenant;
import dev.flinkwatch.api.tenants.ApiKeys;
import java.io.StringReader;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Atom feeds over HTTP on a real database: exactly the tenant's (or the monitor's) alerts, newest
 * first; revocation, other tenants, deleted monitors, conditional requests, tokens at rest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeedsIT {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private ApiHarness harness;
    private DataSource db;

    @BeforeAll
    void start() {
        harness = ApiHarness.start();
        db = harness.db.dataSource();
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    @Test
    void feedsHoldExactlyTheTenantsOrTheMonitorsAlertsNewestFirst() throws Exception {
        Tenant a = harness.createTenant("Feeds A");
        Tenant b = harness.createTenant("Feeds B");
        UUID a1 = monitor(a, "Widget price");
        UUID a2 = monitor(a, "Jobs page");
        UUID b1 = monitor(b, "Other tenant's monitor");
        alert(a1, a, "a1-old", T0.plusSeconds(1));
        alert(a2, a, "a2-old", T0.plusSeconds(2));
        alert(a1, a, "a1-mid", T0.plusSeconds(3));
        alert(a2, a, "a2-new", T0.plusSeconds(4));
        alert(a1, a, "a1-new", T0.plusSeconds(5));
        alert(b1, b, "b1-only", T0.plusSeconds(6));

        JsonNode tenantFeed = createFeed(a, null);
        JsonNode monitorFeed = createFeed(a, a1);
        JsonNode otherFeed = createFeed(b, null);

        assertThat(entryIds(read(tenantFeed)))
                .containsExactly("a1-new", "a2-new", "a1-mid", "a2-old", "a1-old");
        assertThat(entryIds(read(monitorFeed))).containsExactly("a1-new", "a1-mid", "a1-old");
        assertThat(entryIds(read(otherFeed))).containsExactly("b1-only");

        SyndFeed feed = read(monitorFeed);
        assertThat(feed.getTitle()).isEqualTo("Flinkwatch alerts: Widget price");
        SyndEntry newest = feed.getEntries().get(0);
        assertThat(newest.getTitle()).isEqualTo("Widget price: condition met");
        assertThat(newest.getUpdatedDate().toInstant()).isEqualTo(T0.plusSeconds(5));
        assertThat(newest.getDescription().getValue())
                .isEqualTo("price 39 < 50 (a1-new)\n\n- $55\n+ $39");
        assertThat(newest.getLink()).isEqualTo(harness.api.baseUrl() + "/app/monitors/" + a1);
        assertThat(feed.getEntries().toString()).doesNotContain("shop.example");
    }

    @Test
    void anEntryLinksToTheCheckThatRaisedItAsTheRestAlertDoes() throws Exception {
        Tenant t = harness.createTenant("Linked");
        UUID m = monitor(t, "Linked monitor");
        PipelineRows.checkRun(db, m, t.id(), T0.plusSeconds(30));
        alert(m, t, "linked", T0.plusSeconds(30));

        long checkId =
                harness.get("/v1/monitors/" + m + "/checks", t).json().at("/items/0/id").asLong();
        JsonNode restAlert = harness.get("/v1/monitors/" + m + "/alerts", t).json();
        assertThat(restAlert.at("/items/0/checkId").asLong()).isEqualTo(checkId);
        assertThat(restAlert.at("/items/0/monitorName").asText()).isEqualTo("Linked monitor");

        SyndEntry entry = read(createFeed(t, m)).getEntries().get(0);
        assertThat(entry.getLink())
                .isEqualTo(harness.api.baseUrl() + "/app/monitors/" + m + "#check-" + checkId);
    }

    @Test
    void aRevokedOrUnknownTokenIs404AtOnceAndAlike() throws Exception {
        Tenant t = harness.createTenant("Revoker");
        UUID m = monitor(t, "Revoked feed's monitor");
        alert(m, t, "revoked-1", T0);
        JsonNode feed = createFeed(t, m);
        assertThat(read(feed).getEntries()).hasSize(1);

        Response revoked =
                harness.send("DELETE", "/v1/feeds/" + feed.get("id").asText(), t.auth(), null);
        assertThat(revoked.status()).isEqualTo(204);
        Response gone = fetch(feed);
        assertThat(gone.status()).isEqualTo(404);
        Response unknown =
                harness.send(
                        "GET",
                        "/feeds/" + ApiKeys.generate("fwf_").secret() + ".atom",
                        Map.of(),
                        null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(gone.body()).isEqualTo(unknown.body());
        assertThat(harness.send("GET", "/feeds/not-a-token.atom", Map.of(), null).status())
                .isEqualTo(404);

        assertThat(
                        harness.send(
                                        "DELETE",
                                        "/v1/feeds/" + feed.get("id").asText(),
                                        t.auth(),
                                        null)
                                .status())
                .isEqualTo(404);
        assertThat(harness.get("/v1/feeds", t).json().get("items")).isEmpty();
    }

    @Test
    void anotherTenantCanNeitherCreateForNorRevokeNorListForeignFeeds() throws Exception {
        Tenant owner = harness.createTenant("Owner");
        Tenant other = harness.createTenant("Intruder");
        UUID m = monitor(owner, "Owner's monitor");
        alert(m, owner, "owned", T0);
        JsonNode feed = createFeed(owner, m);

        Response foreignMonitor =
                harness.send("POST", "/v1/feeds", other.auth(), "{\"monitorId\": \"" + m + "\"}");
        assertThat(foreignMonitor.status()).isEqualTo(404);
        assertThat(foreignMonitor.errorCode()).isEqualTo("not_found");
        Response foreignRevoke =
                harness.send("DELETE", "/v1/feeds/" + feed.get("id").asText(), other.auth(), null);
        assertThat(foreignRevoke.status()).isEqualTo(404);
        assertThat(harness.get("/v1/feeds", other).json().get("items")).isEmpty();
        // the intruder's own feed shows none of it, and the owner's still works
        assertThat(read(createFeed(other, null)).getEntries()).isEmpty();
        assertThat(entryIds(read(feed))).containsExactly("owned");

        JsonNode listed = harness.get("/v1/feeds", owner).json().get("items");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("id").asText()).isEqualTo(feed.get("id").asText());
        assertThat(listed.get(0).get("monitorId").asText()).isEqualTo(m.toString());
        assertThat(listed.get(0).get("prefix").asText()).isEqualTo(feed.get("prefix").asText());
        assertThat(listed.get(0).has("token")).isFalse();
        assertThat(listed.get(0).has("url")).isFalse();
    }

    @Test
    void aDeletedMonitorsFeedStopsAndTheTenantFeedDropsItsAlerts() throws Exception {
        Tenant t = harness.createTenant("Deleter");
        UUID kept = monitor(t, "Kept");
        UUID deleted = monitor(t, "Deleted");
        alert(kept, t, "kept-1", T0);
        alert(deleted, t, "deleted-1", T0.plusSeconds(1));
        JsonNode tenantFeed = createFeed(t, null);
        JsonNode deletedFeed = createFeed(t, deleted);
        assertThat(entryIds(read(tenantFeed))).containsExactly("deleted-1", "kept-1");

        assertThat(harness.send("DELETE", "/v1/monitors/" + deleted, t.auth(), null).status())
                .isEqualTo(204);
        assertThat(fetch(deletedFeed).status()).isEqualTo(404);
        assertThat(entryIds(read(tenantFeed))).containsExactly("kept-1");
        assertThat(harness.get("/v1/feeds", t).json().get("items")).hasSize(1);
        assertThat(
                        harness.send(
                                        "POST",
                                        "/v1/feeds",
                                        t.auth(),
                                        "{\"monitorId\": \"" + deleted + "\"}")
                                .status())
                .isEqualTo(404);
    }

    @Test
    void anUnchangedFeedIs304WithIfNoneMatchAndANewAlertChangesItsEtag() throws Exception {
        Tenant t = harness.createTenant("Conditional");
        UUID m = monitor(t, "Polled");
        alert(m, t, "first", T0);
        JsonNode feed = createFeed(t, null);

        Response full = fetch(feed);
        assertThat(full.status()).isEqualTo(200);
        assertThat(full.headers().firstValue("Content-Type"))
                .hasValue("application/atom+xml; charset=utf-8");
        assertThat(full.headers().firstValue("Cache-Control")).hasValue("private, max-age=60");
        String etag = full.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).matches("\"[0-9a-f]{32}\"");

        Response again = fetch(feed, Map.of("If-None-Match", etag));
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.headers().firstValue("ETag")).hasValue(etag);
        assertThat(fetch(feed, Map.of("If-None-Match", "\"stale\"")).status()).isEqualTo(200);

        alert(m, t, "second", T0.plusSeconds(60));
        Response changed = fetch(feed, Map.of("If-None-Match", etag));
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);
        assertThat(entryIds(parse(changed.body()))).containsExactly("second", "first");
    }

    @Test
    void feedReadsCountAgainstTheTenantsReadLimit() throws Exception {
        Tenant t = harness.createTenant("Rate limited");
        UUID m = monitor(t, "Polled often");
        alert(m, t, "limited", T0);
        JsonNode feed = createFeed(t, m);
        String path = URI.create(feed.get("url").asText()).getRawPath();
        // a second API on the same database whose read bucket holds 2 tokens, refilled 1 a minute
        try (ApiHarness limited =
                ApiHarness.startOn(harness.db, harness.topic, b -> b.readLimit(1, 2))) {
            assertThat(limited.send("GET", path, Map.of(), null).status()).isEqualTo(200);
            assertThat(limited.send("GET", path, Map.of(), null).status()).isEqualTo(200);
            Response refused = limited.send("GET", path, Map.of(), null);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            // the same tenant's API reads share the bucket
            assertThat(limited.get("/v1/feeds", t).status()).isEqualTo(429);
        }
    }

    @Test
    void tokensAreStoredOnlyAsTheirHash() throws Exception {
        Tenant t = harness.createTenant("At rest");
        UUID m = monitor(t, "At rest monitor");
        List<JsonNode> created = List.of(createFeed(t, null), createFeed(t, m));
        for (JsonNode feed : created) {
            String token = feed.get("token").asText();
            assertThat(token).startsWith("fwf_").hasSize(4 + 43);
            assertThat(feed.get("url").asText())
                    .isEqualTo(harness.api.baseUrl() + "/feeds/" + token + ".atom");
            assertThat(feed.get("prefix").asText()).isEqualTo(token.substring(0, 12));
            String secretPart = token.substring(12);
            for (String row : everyRowAsText()) {
                assertThat(row).doesNotContain(secretPart);
            }
            try (Connection c = db.getConnection();
                    PreparedStatement ps =
                            c.prepareStatement("SELECT token_hash FROM feed_tokens WHERE id = ?")) {
                ps.setObject(1, UUID.fromString(feed.get("id").asText()));
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getBytes(1)).isEqualTo(ApiKeys.sha256(token));
                }
            }
        }
    }

    @Test
    void theSchemaRefusesATokenNamingAnotherTenantsMonitor() {
        Tenant owner = harness.createTenant("Schema owner");
        Tenant other = harness.createTenant("Schema other");
        UUID m = monitor(owner, "Schema monitor");
        ApiKeys.Generated token = ApiKeys.generate("fwf_");
        assertThatThrownBy(
                        () -> {
                            try (Connection c = db.getConnection();
                                    PreparedStatement ps =
                                            c.prepareStatement(
                                                    "INSERT INTO feed_tokens (id, tenant_id,"
                                                            + " monitor_id, token_hash, prefix)"
                                                            + " VALUES (?, ?, ?, ?, ?)")) {
                                ps.setObject(1, UUID.randomUUID());
                                ps.setObject(2, other.id());
                                ps.setObject(3, m);
                                ps.setBytes(4, token.hash());
                                ps.setString(5, token.displayPrefix());
                                ps.executeUpdate();
                            }
                        })
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23503"));
    }

    @Test
    void badRequestsAreClearErrors() {
        Tenant t = harness.createTenant("Bad input");
        Response notUuid = harness.send("POST", "/v1/feeds", t.auth(), "{\"monitorId\": \"x\"}");
        assertThat(notUuid.status()).isEqualTo(400);
        assertThat(notUuid.errorFields().has("monitorId")).as(notUuid.body()).isTrue();
        Response notJson =
                harness.send(
                        "POST",
                        "/v1/feeds",
                        Map.of(
                                "Authorization",
                                "Bearer " + t.apiKey(),
                                "Content-Type",
                                "text/plain"),
                        "{}");
        assertThat(notJson.status()).isEqualTo(415);
        Response unknownMonitor =
                harness.send(
                        "POST",
                        "/v1/feeds",
                        t.auth(),
                        "{\"monitorId\": \"" + UUID.randomUUID() + "\"}");
        assertThat(unknownMonitor.status()).isEqualTo(404);
        assertThat(harness.send("POST", "/v1/feeds", Map.of(), "{}").status()).isEqualTo(401);
        assertThat(harness.send("GET", "/v1/feeds", Map.of(), null).status()).isEqualTo(401);
        assertThat(harness.send("DELETE", "/v1/feeds/not-a-uuid", t.auth(), null).status())
                .isEqualTo(404);
        assertThat(harness.get("/v1/feeds?limit=0", t).status()).isEqualTo(400);
        assertThat(harness.get("/v1/feeds?cursor=zzz", t).status()).isEqualTo(400);
    }

    @Test
    void theFeedListIsPagedInIdOrder() {
        Tenant t = harness.createTenant("Many feeds");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(createFeed(t, null).get("id").asText());
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page =
                    harness.get(
                                    "/v1/feeds?limit=2"
                                            + (cursor == null ? "" : "&cursor=" + cursor),
                                    t)
                            .json();
            page.get("items").forEach(item -> seen.add(item.get("id").asText()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        } while (cursor != null);
        assertThat(seen).isSorted().containsExactlyInAnyOrderElementsOf(ids);
    }

    private UUID monitor(Tenant tenant, String name) {
        return UUID.fromString(
                harness.createMonitor(
                                tenant, ApiHarness.monitorBody(name, "https://shop.example/widget"))
                        .get("id")
                        .asText());
    }

    private void alert(UUID monitor, Tenant tenant, String key, Instant at) throws Exception {
        PipelineRows.alert(
                db,
                monitor,
                tenant.id(),
                key,
                at,
                "CONDITION_MET",
                "price 39 < 50 (" + key + ")",
                "- $55\n+ $39");
    }

    private JsonNode createFeed(Tenant tenant, UUID monitorOrNull) {
        String body = monitorOrNull == null ? "{}" : "{\"monitorId\": \"" + monitorOrNull + "\"}";
        Response r = harness.send("POST", "/v1/feeds", tenant.auth(), body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    private Response fetch(JsonNode feed) {
        return fetch(feed, Map.of());
    }

    /** GET of the feed's URL as a reader would, with nothing but the URL (and given headers). */
    private Response fetch(JsonNode feed, Map<String, String> headers) {
        URI url = URI.create(feed.get("url").asText());
        assertThat(url.toString()).startsWith(harness.api.baseUrl());
        return harness.send("GET", url.getRawPath(), headers, null);
    }

    private SyndFeed read(JsonNode feed) throws Exception {
        Response r = fetch(feed);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return parse(r.body());
    }

    private static SyndFeed parse(String xml) throws Exception {
        return new SyndFeedInput().build(new StringReader(xml));
    }

    private static List<String> entryIds(SyndFeed feed) {
        return feed.getEntries().stream()
                .map(e -> e.getUri().substring("urn:flinkwatch:alert:".length()))
                .toList();
    }

    /** Every row of every table in the schema, as JSON text. */
    private List<String> everyRowAsText() throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.getConnection()) {
            List<String> tables = new ArrayList<>();
            try (PreparedStatement ps =
                            c.prepareStatement(
                                    "SELECT quote_ident(table_name) FROM information_schema.tables"
                                            + " WHERE table_schema = current_schema()"
                                            + " AND table_type = 'BASE TABLE'");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertThat(tables).contains("feed_tokens");
            for (String table : tables) {
                try (PreparedStatement ps =
                                c.prepareStatement(
                                        "SELECT row_to_json(t)::text FROM " + table + " t");
                        ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(rs.getString(1));
                    }
                }
            }
        }
        return rows;
    }
}
