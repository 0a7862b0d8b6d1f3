package dev.flinkwatch.api.monitors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.api.http.Access;
import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.api.http.Caller;
import dev.flinkwatch.api.http.ItemProblem;
import dev.flinkwatch.api.http.Json;
import dev.flinkwatch.api.http.JsonBodies;
import dev.flinkwatch.api.http.Route;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/monitors/batch}: {@code {"monitors": [spec, ...]}}, at most {@value #MAX_ITEMS}
 * monitors and {@value #MAX_BYTES} bytes, created all or nothing (see {@link BatchCreate}). 201
 * with {@code {"monitors": [...]}}; 200 and {@code Idempotent-Replayed: true} when an {@code
 * Idempotency-Key} was seen before.
 */
public final class MonitorBatchRoutes {
    public static final int MAX_ITEMS = 1000;
    public static final int MAX_BYTES = 4 * 1024 * 1024;
    static final String ITEMS = "monitors";

    private final BatchCreate batches;

    public MonitorBatchRoutes(BatchCreate batches) {
        this.batches = batches;
    }

    public List<Route> routes() {
        return List.of(Route.post("/v1/monitors/batch", Access.TENANT, this::create));
    }

    private void create(Context ctx, Caller caller) throws SQLException {
        String key = BatchCreate.idempotencyKey(ctx);
        JsonNode list = JsonBodies.readTree(ctx, MAX_BYTES).get(ITEMS);
        if (list == null || !list.isArray()) {
            throw ApiException.validation(Map.of(ITEMS, "must be an array of monitors"));
        }
        BatchCreate.requireSize(ITEMS, list.size(), MAX_ITEMS);
        List<BatchCreate.Item> items = new ArrayList<>(list.size());
        list.forEach(element -> items.add(BatchCreate.Item.fromJson(element)));
        respond(
                ctx,
                batches.create(caller.requireTenant(), ITEMS, items, MAX_ITEMS, key),
                List.of());
    }

    /** 201 with the created monitors, or 200 with a replay's. */
    public static void respond(Context ctx, MonitorStore.Created created, List<ItemProblem> notes) {
        if (created.replayed()) {
            ctx.header("Idempotent-Replayed", "true");
        }
        Json.respond(
                ctx, created.replayed() ? 200 : 201, new BatchResult(created.monitors(), notes));
    }
}
