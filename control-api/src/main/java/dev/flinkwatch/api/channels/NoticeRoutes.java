package dev.flinkwatch.api.channels;

import dev.flinkwatch.api.db.Jdbc;
import dev.flinkwatch.api.http.Access;
import dev.flinkwatch.api.http.Caller;
import dev.flinkwatch.api.http.Json;
import dev.flinkwatch.api.http.Page;
import dev.flinkwatch.api.http.QueryParams;
import dev.flinkwatch.api.http.Route;
import io.javalin.http.Context;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * {@code GET /v1/notices}: what the platform told the tenant about its own setup, newest first
 * (today: channels the delivery component disabled, and why).
 */
public final class NoticeRoutes {
    private final DataSource db;

    public NoticeRoutes(DataSource db) {
        this.db = db;
    }

    public List<Route> routes() {
        return List.of(Route.get("/v1/notices", Access.TENANT, this::list));
    }

    /** One notice as the API returns it. */
    public record NoticeView(
            long id, String kind, UUID channelId, String message, Instant createdAt) {}

    private void list(Context ctx, Caller caller) throws SQLException {
        Json.respond(
                ctx, 200, new Page<>(newest(caller.requireTenant(), QueryParams.limit(ctx)), null));
    }

    /** The tenant's newest notices (the REST route and the web app's channels page). */
    public List<NoticeView> newest(UUID tenant, int limit) throws SQLException {
        return Jdbc.withConnection(
                db,
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "SELECT id, kind, channel_id, message, created_at"
                                            + " FROM tenant_notices WHERE tenant_id = ?"
                                            + " ORDER BY created_at DESC, id DESC"
                                            + " LIMIT ?")) {
                        ps.setObject(1, tenant);
                        ps.setInt(2, limit);
                        List<NoticeView> rows = new ArrayList<>();
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                rows.add(
                                        new NoticeView(
                                                rs.getLong(1),
                                                rs.getString(2),
                                                rs.getObject(3, UUID.class),
                                                rs.getString(4),
                                                Jdbc.instant(rs, "created_at")));
                            }
                        }
                        return rows;
                    }
                });
    }
}
