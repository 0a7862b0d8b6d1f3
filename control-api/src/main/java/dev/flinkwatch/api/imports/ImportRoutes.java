package dev.flinkwatch.api.imports;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.api.http.Access;
import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.api.http.Caller;
import dev.flinkwatch.api.http.JsonBodies;
import dev.flinkwatch.api.http.Route;
import dev.flinkwatch.api.monitors.BatchCreate;
import dev.flinkwatch.api.monitors.MonitorBatchRoutes;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Imports from other tools, each one batch create ({@link BatchCreate}: all or nothing, one
 * transaction) of at most {@value #MAX_ITEMS} monitors in a body of at most {@value #MAX_BYTES}
 * bytes:
 *
 * <ul>
 *   <li>{@code POST /v1/imports/urls}: a URL list as {@code text/plain} ({@link UrlList}), defaults
 *       from query parameters; or JSON {@code {"urls": [...], "defaults": {...}}}
 *   <li>{@code POST /v1/imports/distill}: a Distill.io JSON export ({@link DistillExport}),
 *       defaults from query parameters
 * </ul>
 */
public final class ImportRoutes {
    public static final int MAX_ITEMS = 10_000;
    public static final int MAX_BYTES = 16 * 1024 * 1024;

    /** The JSON form of a URL list import. */
    record UrlListBody(List<String> urls, ImportDefaults defaults) {}

    private final BatchCreate batches;

    public ImportRoutes(BatchCreate batches) {
        this.batches = batches;
    }

    public List<Route> routes() {
        return List.of(
                Route.post("/v1/imports/urls", Access.TENANT, this::urls),
                Route.post("/v1/imports/distill", Access.TENANT, this::distill));
    }

    private void urls(Context ctx, Caller caller) throws SQLException {
        String key = BatchCreate.idempotencyKey(ctx);
        List<BatchCreate.Item> items = new ArrayList<>();
        if (JsonBodies.mediaType(ctx).equals("text/plain")) {
            ImportDefaults defaults = ImportDefaults.fromQuery(ctx);
            List<UrlList.Entry> entries =
                    UrlList.parse(
                            new String(
                                    JsonBodies.readBounded(ctx, MAX_BYTES),
                                    StandardCharsets.UTF_8));
            BatchCreate.requireSize("urls", entries.size(), MAX_ITEMS);
            for (UrlList.Entry e : entries) {
                items.add(BatchCreate.Item.of(defaults.monitor(e.name(), e.url(), null, null)));
            }
        } else {
            UrlListBody body = JsonBodies.read(ctx, UrlListBody.class, MAX_BYTES);
            if (body.urls() == null) {
                throw ApiException.validation(java.util.Map.of("urls", "is required"));
            }
            BatchCreate.requireSize("urls", body.urls().size(), MAX_ITEMS);
            ImportDefaults defaults =
                    body.defaults() == null ? ImportDefaults.NONE : body.defaults();
            for (String url : body.urls()) {
                items.add(
                        url == null
                                ? BatchCreate.Item.unreadable("$", "must be a URL")
                                : BatchCreate.Item.of(defaults.monitor(null, url, null, null)));
            }
        }
        MonitorBatchRoutes.respond(
                ctx,
                batches.create(caller.requireTenant(), "urls", items, MAX_ITEMS, key),
                List.of());
    }

    private void distill(Context ctx, Caller caller) throws SQLException {
        String key = BatchCreate.idempotencyKey(ctx);
        ImportDefaults defaults = ImportDefaults.fromQuery(ctx);
        JsonNode export = JsonBodies.readTree(ctx, MAX_BYTES);
        DistillExport.Mapped mapped = DistillExport.map(export, defaults, MAX_ITEMS);
        MonitorBatchRoutes.respond(
                ctx,
                batches.create(
                        caller.requireTenant(),
                        DistillExport.ITEMS,
                        mapped.items(),
                        MAX_ITEMS,
                        key),
                mapped.notes());
    }
}
