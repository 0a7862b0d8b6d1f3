package dev.flinkwatch.api.channels;

import dev.flinkwatch.api.http.Access;
import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.api.http.Caller;
import dev.flinkwatch.api.http.Cursor;
import dev.flinkwatch.api.http.Json;
import dev.flinkwatch.api.http.JsonBodies;
import dev.flinkwatch.api.http.Page;
import dev.flinkwatch.api.http.QueryParams;
import dev.flinkwatch.api.http.Route;
import dev.flinkwatch.delivery.ChannelSettings;
import dev.flinkwatch.delivery.ChannelStore;
import dev.flinkwatch.delivery.ChannelType;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The tenant's notification channels: create, list, read, replace, delete. Settings are stored
 * encrypted and shown masked; a PUT without {@code settings} keeps the stored ones.
 */
public final class ChannelRoutes {
    private final ChannelStore channels;
    private final ChannelChecks checks;

    /**
     * @param channels null when the API has no delivery keyset: the routes then answer 503
     */
    public ChannelRoutes(ChannelStore channels, ChannelChecks checks) {
        this.channels = channels;
        this.checks = checks;
    }

    public List<Route> routes() {
        return List.of(
                Route.post("/v1/channels", Access.TENANT, this::create),
                Route.get("/v1/channels", Access.TENANT, this::list),
                Route.get("/v1/channels/{id}", Access.TENANT, this::get),
                Route.put("/v1/channels/{id}", Access.TENANT, this::replace),
                Route.delete("/v1/channels/{id}", Access.TENANT, this::delete));
    }

    static ApiException notConfigured() {
        return new ApiException(
                503,
                "not_configured",
                "notification channels are not configured on this server (no delivery keyset)");
    }

    private ChannelStore store() {
        if (channels == null) {
            throw notConfigured();
        }
        return channels;
    }

    private void create(Context ctx, Caller caller) throws SQLException {
        ChannelView created =
                create(caller.requireTenant(), JsonBodies.read(ctx, ChannelRequest.class));
        ctx.header("Location", "/v1/channels/" + created.id());
        Json.respond(ctx, 201, created);
    }

    /**
     * Creates a channel (the REST route and the web app's form).
     *
     * @throws ApiException 400 naming every bad field, 503 without a delivery keyset
     */
    public ChannelView create(UUID tenant, ChannelRequest body) throws SQLException {
        ChannelStore store = store();
        return ChannelView.of(store.create(tenant, checked(body, body.settings())));
    }

    /** The tenant's first channels, settings masked (the web app's list). */
    public List<ChannelView> first(UUID tenant, int limit) throws SQLException {
        return store().list(tenant, null, limit).stream().map(ChannelView::of).toList();
    }

    /** Whether this server stores channels (it has a delivery keyset). */
    public boolean available() {
        return channels != null;
    }

    private void list(Context ctx, Caller caller) throws SQLException {
        ChannelStore store = store();
        int limit = QueryParams.limit(ctx);
        String cursor = ctx.queryParam(Cursor.PARAMETER);
        UUID after = null;
        if (cursor != null) {
            try {
                after = UUID.fromString(Cursor.decode(cursor, 1).get(0));
            } catch (IllegalArgumentException e) {
                throw Cursor.invalid();
            }
        }
        List<ChannelStore.Channel> rows = store.list(caller.requireTenant(), after, limit + 1);
        List<ChannelView> items =
                rows.subList(0, Math.min(limit, rows.size())).stream()
                        .map(ChannelView::of)
                        .toList();
        String next =
                rows.size() > limit ? Cursor.encode(items.get(limit - 1).id().toString()) : null;
        Json.respond(ctx, 200, new Page<>(items, next));
    }

    private void get(Context ctx, Caller caller) throws SQLException {
        ChannelStore store = store();
        Json.respond(
                ctx,
                200,
                ChannelView.of(
                        store.get(caller.requireTenant(), channelId(ctx))
                                .orElseThrow(ChannelRoutes::notFound)));
    }

    private void replace(Context ctx, Caller caller) throws SQLException {
        ChannelStore store = store();
        UUID id = channelId(ctx);
        UUID tenant = caller.requireTenant();
        ChannelRequest body = JsonBodies.read(ctx, ChannelRequest.class);
        if (body.settings() != null) {
            // Validated before the row is read: the answer to a bad body never depends on
            // whether the id exists.
            checked(body, body.settings());
        }
        ChannelStore.Channel updated =
                store.update(
                                tenant,
                                id,
                                current ->
                                        checked(
                                                body,
                                                body.settings() != null
                                                        ? body.settings()
                                                        : current.settings()))
                        .orElseThrow(ChannelRoutes::notFound);
        Json.respond(ctx, 200, ChannelView.of(updated));
    }

    private void delete(Context ctx, Caller caller) throws SQLException {
        if (!delete(caller.requireTenant(), channelId(ctx))) {
            throw notFound();
        }
        ctx.status(204);
    }

    /** Deletes a channel; false when the tenant has no such channel. */
    public boolean delete(UUID tenant, UUID id) throws SQLException {
        return store().delete(tenant, id);
    }

    private ChannelStore.Draft checked(ChannelRequest body, ChannelSettings settings) {
        Map<String, String> problems = checks.problems(body, settings);
        if (!problems.isEmpty()) {
            throw ApiException.validation(problems);
        }
        return new ChannelStore.Draft(
                body.name(),
                ChannelType.fromJson(body.type()),
                settings,
                body.template(),
                body.enabled() == null || body.enabled());
    }

    static UUID channelId(Context ctx) {
        return QueryParams.pathId(ctx, "id", "channel");
    }

    static ApiException notFound() {
        return ApiException.notFound("channel");
    }
}
