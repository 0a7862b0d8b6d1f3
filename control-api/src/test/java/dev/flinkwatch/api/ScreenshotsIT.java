package dev.flinkwatch.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.api.ApiHarness.Tenant;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Screenshots kept with changes of browser sources: served to their tenant only, as JPEG, and
 * dropped by the purge past their retention while the checks stay.
 */
class ScreenshotsIT {
    private static byte[] jpeg(int marker) {
        byte[] bytes = new byte[64];
        bytes[0] = (byte) 0xff;
        bytes[1] = (byte) 0xd8;
        bytes[2] = (byte) 0xff;
        bytes[3] = (byte) marker;
        return bytes;
    }

    private static HttpResponse<byte[]> fetch(ApiHarness api, String path, Tenant tenant)
            throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.api.port() + path));
        tenant.auth().forEach(request::header);
        return api.http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static UUID monitor(ApiHarness api, Tenant tenant) {
        return UUID.fromString(
                api.createMonitor(tenant, ApiHarness.monitorBody("js", "https://shop.example/js"))
                        .get("id")
                        .asText());
    }

    @Test
    void aScreenshotIsServedToItsTenantOnlyAndListedWithItsCheck() throws Exception {
        try (ApiHarness api = ApiHarness.start()) {
            Tenant a = api.createTenant("A");
            Tenant b = api.createTenant("B");
            UUID monitor = monitor(api, a);
            DataSource db = api.db.dataSource();
            Instant now = Instant.now();
            long withShot = PipelineRows.checkRunWithScreenshot(db, monitor, a.id(), now, jpeg(7));
            PipelineRows.checkRun(db, monitor, a.id(), now.minusSeconds(60));

            JsonNode items = api.get("/v1/monitors/" + monitor + "/checks", a).json().get("items");
            assertThat(items).hasSize(2);
            assertThat(items.get(0).get("id").asLong()).isEqualTo(withShot);
            assertThat(items.get(0).get("screenshot").asText())
                    .isEqualTo("/v1/checks/" + withShot + "/screenshot");
            assertThat(items.get(1).path("screenshot").isNull()).isTrue();
            long without = items.get(1).get("id").asLong();

            HttpResponse<byte[]> shot = fetch(api, "/v1/checks/" + withShot + "/screenshot", a);
            assertThat(shot.statusCode()).isEqualTo(200);
            assertThat(shot.headers().firstValue("Content-Type")).hasValue("image/jpeg");
            assertThat(shot.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(shot.body()).isEqualTo(jpeg(7));

            assertThat(fetch(api, "/v1/checks/" + withShot + "/screenshot", b).statusCode())
                    .as("another tenant")
                    .isEqualTo(404);
            assertThat(fetch(api, "/v1/checks/" + without + "/screenshot", a).statusCode())
                    .as("a check without one")
                    .isEqualTo(404);
            assertThat(fetch(api, "/v1/checks/nope/screenshot", a).statusCode()).isEqualTo(404);
            assertThat(api.send("DELETE", "/v1/monitors/" + monitor, a.auth(), null).status())
                    .isEqualTo(204);
            assertThat(fetch(api, "/v1/checks/" + withShot + "/screenshot", a).statusCode())
                    .as("a deleted monitor's")
                    .isEqualTo(404);
        }
    }

    @Test
    void thePurgeKeepsTheNewestScreenshotsOfEachMonitorWithinTheirAgeAndEveryCheck()
            throws Exception {
        try (ApiHarness api =
                ApiHarness.start(
                        b ->
                                b.purgeInterval(Duration.ofMillis(100))
                                        .screenshots(
                                                new ControlApiConfig.ScreenshotRetention(
                                                        Duration.ofDays(1), 2)))) {
            Tenant a = api.createTenant("A");
            UUID busy = monitor(api, a);
            UUID old = monitor(api, a);
            DataSource db = api.db.dataSource();
            Instant now = Instant.now();
            List<Long> busyIds = new ArrayList<>();
            for (int i = 4; i >= 1; i--) {
                busyIds.add(
                        PipelineRows.checkRunWithScreenshot(
                                db, busy, a.id(), now.minusSeconds(60L * i), jpeg(i)));
            }
            long stale =
                    PipelineRows.checkRunWithScreenshot(
                            db, old, a.id(), now.minus(Duration.ofDays(2)), jpeg(9));

            await().atMost(Duration.ofMinutes(1))
                    .until(() -> screenshots(db).equals(busyIds.subList(2, 4)));
            assertThat(checkRuns(db)).isEqualTo(5);
            assertThat(fetch(api, "/v1/checks/" + stale + "/screenshot", a).statusCode())
                    .isEqualTo(404);
            assertThat(fetch(api, "/v1/checks/" + busyIds.get(3) + "/screenshot", a).body())
                    .isEqualTo(jpeg(1));
        }
    }

    private static List<Long> screenshots(DataSource db) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT id FROM check_runs WHERE screenshot IS NOT NULL"
                                        + " ORDER BY finished_at");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    private static long checkRuns(DataSource db) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM check_runs");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
