package dev.flinkwatch.api.history;

import dev.flinkwatch.api.http.Access;
import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.api.http.Caller;
import dev.flinkwatch.api.http.Cursor;
import dev.flinkwatch.api.http.Json;
import dev.flinkwatch.api.http.QueryParams;
import dev.flinkwatch.api.http.Route;
import dev.flinkwatch.api.monitors.MonitorStore;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/** Alerts (per monitor and tenant-wide) and a monitor's recent check runs. */
public final class HistoryRoutes {
    private final HistoryStore history;
    private final MonitorStore monitors;

    public HistoryRoutes(HistoryStore history, MonitorStore monitors) {
        this.history = history;
        this.monitors = monitors;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/v1/alerts", Access.TENANT, this::tenantAlerts),
                Route.get("/v1/monitors/{id}/alerts", Access.TENANT, this::monitorAlerts),
                Route.get("/v1/monitors/{id}/checks", Access.TENANT, this::monitorChecks),
                Route.get("/v1/checks/{id}/screenshot", Access.TENANT, this::screenshot));
    }

    private void tenantAlerts(Context ctx, Caller caller) throws SQLException {
        respondAlerts(ctx, caller, null);
    }

    private void monitorAlerts(Context ctx, Caller caller) throws SQLException {
        respondAlerts(ctx, caller, liveMonitor(ctx, caller));
    }

    /** Alerts of the caller's tenant, of one monitor or (null) of all. */
    private void respondAlerts(Context ctx, Caller caller, UUID monitorId) throws SQLException {
        Json.respond(
                ctx,
                200,
                history.alerts(
                        caller.requireTenant(),
                        monitorId,
                        QueryParams.instant(ctx, "since"),
                        ctx.queryParam(Cursor.PARAMETER),
                        QueryParams.limit(ctx)));
    }

    private void monitorChecks(Context ctx, Caller caller) throws SQLException {
        UUID monitorId = liveMonitor(ctx, caller);
        Json.respond(
                ctx,
                200,
                history.checks(
                        caller.requireTenant(),
                        monitorId,
                        ctx.queryParam(Cursor.PARAMETER),
                        QueryParams.limit(ctx)));
    }

    /** A check's screenshot as the JPEG it is; 404 for another tenant's check or none kept. */
    private void screenshot(Context ctx, Caller caller) throws SQLException {
        long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw ApiException.notFound("screenshot"); // cannot name a check
        }
        byte[] jpeg =
                history.screenshot(caller.requireTenant(), id)
                        .orElseThrow(() -> ApiException.notFound("screenshot"));
        ctx.status(200)
                .contentType("image/jpeg")
                .header("Cache-Control", "private, max-age=86400")
                .header("X-Content-Type-Options", "nosniff")
                .result(jpeg);
    }

    /** The path's monitor, if it is one of the caller's live monitors; 404 otherwise. */
    private UUID liveMonitor(Context ctx, Caller caller) throws SQLException {
        UUID id = QueryParams.pathId(ctx, "id", "monitor");
        if (!monitors.exists(caller.requireTenant(), id)) {
            throw ApiException.notFound("monitor");
        }
        return id;
    }
}
