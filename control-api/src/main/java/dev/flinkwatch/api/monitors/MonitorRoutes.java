package dev.flinkwatch.api.monitors;

import dev.flinkwatch.api.http.Access;
import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.api.http.Caller;
import dev.flinkwatch.api.http.Cursor;
import dev.flinkwatch.api.http.Json;
import dev.flinkwatch.api.http.JsonBodies;
import dev.flinkwatch.api.http.Page;
import dev.flinkwatch.api.http.QueryParams;
import dev.flinkwatch.api.http.Route;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorStatus;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The tenant's monitors: create, list, read, replace, pause, resume, delete. Each change that is
 * stored wakes the outbox relay.
 */
public final class MonitorRoutes {
    static final String ID = "id";

    private final MonitorStore monitors;
    private final MonitorSpecChecks checks;
    private final Runnable outboxWritten;

    /**
     * @param outboxWritten called after a change committed an outbox row
     */
    public MonitorRoutes(MonitorStore monitors, MonitorSpecChecks checks, Runnable outboxWritten) {
        this.monitors = monitors;
        this.checks = checks;
        this.outboxWritten = outboxWritten;
    }

    public List<Route> routes() {
        return List.of(
                Route.post("/v1/monitors", Access.TENANT, this::create),
                Route.get("/v1/monitors", Access.TENANT, this::list),
                Route.get("/v1/monitors/{id}", Access.TENANT, this::get),
                Route.put("/v1/monitors/{id}", Access.TENANT, this::replace),
                Route.delete("/v1/monitors/{id}", Access.TENANT, this::delete),
                Route.post(
                        "/v1/monitors/{id}/pause",
                        Access.TENANT,
                        (ctx, caller) -> setStatus(ctx, caller, MonitorStatus.PAUSED)),
                Route.post(
                        "/v1/monitors/{id}/resume",
                        Access.TENANT,
                        (ctx, caller) -> setStatus(ctx, caller, MonitorStatus.ACTIVE)));
    }

    private void create(Context ctx, Caller caller) throws SQLException {
        MonitorView created =
                create(caller.requireTenant(), JsonBodies.read(ctx, MonitorSpec.class));
        ctx.header("Location", "/v1/monitors/" + created.id());
        Json.respond(ctx, 201, created);
    }

    /**
     * Creates a monitor from a request body (the REST route and the web app's form).
     *
     * @throws ApiException 400 naming every bad field, 409 when the quota is used up
     */
    public MonitorView create(UUID tenantId, MonitorSpec body) throws SQLException {
        MonitorView created = monitors.create(newMonitor(body, UUID.randomUUID(), tenantId));
        outboxWritten.run();
        return created;
    }

    /**
     * A create request's body made into the monitor to store, or a 400 naming every bad field. The
     * one path of single and batch creates ({@link BatchCreate}): whatever a create must check or
     * convert belongs here, so both get it.
     */
    public MonitorSpec newMonitor(MonitorSpec body, UUID id, UUID tenantId) {
        return checked(
                from(
                        body,
                        id,
                        tenantId,
                        body.status() == null ? MonitorStatus.ACTIVE : body.status()));
    }

    private void list(Context ctx, Caller caller) throws SQLException {
        Json.respond(
                ctx,
                200,
                page(
                        caller.requireTenant(),
                        ctx.queryParam(Cursor.PARAMETER),
                        QueryParams.limit(ctx),
                        MonitorStore.MonitorQuery.ALL));
    }

    /**
     * A page of the tenant's monitors after a cursor (null: the first page), with the cursor of the
     * next page (the REST list and the web app's).
     */
    public Page<MonitorView> page(
            UUID tenant, String cursor, int limit, MonitorStore.MonitorQuery query)
            throws SQLException {
        UUID after = null;
        if (cursor != null) {
            try {
                after = UUID.fromString(Cursor.decode(cursor, 1).get(0));
            } catch (IllegalArgumentException e) {
                throw Cursor.invalid();
            }
        }
        List<MonitorView> rows = monitors.list(tenant, after, limit + 1, query);
        List<MonitorView> items = rows.subList(0, Math.min(limit, rows.size()));
        String next =
                rows.size() > limit ? Cursor.encode(items.get(limit - 1).id().toString()) : null;
        return new Page<>(List.copyOf(items), next);
    }

    private void get(Context ctx, Caller caller) throws SQLException {
        UUID id = monitorId(ctx);
        Json.respond(
                ctx,
                200,
                monitors.find(caller.requireTenant(), id).orElseThrow(MonitorRoutes::notFound));
    }

    /** Full replace of the user's fields; status is kept unless the body sets it. */
    private void replace(Context ctx, Caller caller) throws SQLException {
        UUID id = monitorId(ctx);
        MonitorSpec body = JsonBodies.read(ctx, MonitorSpec.class);
        Json.respond(
                ctx,
                200,
                replace(caller.requireTenant(), id, body).orElseThrow(MonitorRoutes::notFound));
    }

    /**
     * Replaces a monitor's user fields (the REST route and the web app's form); empty when the
     * tenant has no such monitor.
     *
     * @throws ApiException 400 naming every bad field
     */
    public Optional<MonitorView> replace(UUID tenant, UUID id, MonitorSpec body)
            throws SQLException {
        // Validated before the row is read: the answer to a bad body never depends on whether the
        // id exists.
        checked(
                from(
                        body,
                        id,
                        tenant,
                        body.status() == null ? MonitorStatus.ACTIVE : body.status()));
        Optional<MonitorView> updated =
                monitors.update(
                        tenant,
                        id,
                        current ->
                                from(
                                                body,
                                                id,
                                                tenant,
                                                body.status() == null
                                                        ? current.status()
                                                        : body.status())
                                        .withVersion(current.version()));
        updated.ifPresent(view -> outboxWritten.run());
        return updated;
    }

    private void setStatus(Context ctx, Caller caller, MonitorStatus status) throws SQLException {
        UUID id = monitorId(ctx);
        Json.respond(
                ctx,
                200,
                setStatus(caller.requireTenant(), id, status).orElseThrow(MonitorRoutes::notFound));
    }

    /** Pauses or resumes a monitor; empty when the tenant has no such monitor. */
    public Optional<MonitorView> setStatus(UUID tenant, UUID id, MonitorStatus status)
            throws SQLException {
        Optional<MonitorView> updated =
                monitors.update(tenant, id, current -> current.withStatus(status));
        updated.ifPresent(view -> outboxWritten.run());
        return updated;
    }

    private void delete(Context ctx, Caller caller) throws SQLException {
        if (!delete(caller.requireTenant(), monitorId(ctx))) {
            throw notFound();
        }
        ctx.status(204);
    }

    /** Deletes a monitor; false when the tenant has no such monitor. */
    public boolean delete(UUID tenant, UUID id) throws SQLException {
        if (!monitors.delete(tenant, id)) {
            return false;
        }
        outboxWritten.run();
        return true;
    }

    private MonitorSpec checked(MonitorSpec spec) {
        Map<String, String> problems = checks.problems(spec);
        if (!problems.isEmpty()) {
            throw ApiException.validation(problems);
        }
        return spec;
    }

    /** The user's fields from a request body, with the system's id, owner and a status. */
    private static MonitorSpec from(
            MonitorSpec body, UUID id, UUID tenantId, MonitorStatus status) {
        return new MonitorSpec(
                id,
                tenantId,
                1,
                body.name(),
                body.sources(),
                body.intervalSeconds(),
                body.condition(),
                body.ignore(),
                body.notification(),
                status);
    }

    static UUID monitorId(Context ctx) {
        return QueryParams.pathId(ctx, ID, "monitor");
    }

    static ApiException notFound() {
        return ApiException.notFound("monitor");
    }
}
