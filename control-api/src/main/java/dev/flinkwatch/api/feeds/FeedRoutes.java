package dev.flinkwatch.api.feeds;

import dev.flinkwatch.api.history.AlertView;
import dev.flinkwatch.api.history.HistoryStore;
import dev.flinkwatch.api.http.Access;
import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.api.http.Caller;
import dev.flinkwatch.api.http.Cursor;
import dev.flinkwatch.api.http.Json;
import dev.flinkwatch.api.http.JsonBodies;
import dev.flinkwatch.api.http.Page;
import dev.flinkwatch.api.http.QueryParams;
import dev.flinkwatch.api.http.RequestObserver;
import dev.flinkwatch.api.http.Route;
import dev.flinkwatch.api.monitors.MonitorStore;
import dev.flinkwatch.api.ratelimit.TenantRateLimiter;
import dev.flinkwatch.model.Hashing;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Atom feeds of alerts: the tenant manages feed tokens with its API key ({@code /v1/feeds}); feed
 * readers, which cannot send headers, read {@code GET /feeds/{token}.atom} with the token alone. An
 * unknown, revoked or deleted monitor's token is a plain 404 that tells none of these apart.
 */
public final class FeedRoutes {
    /** Entries per feed: the newest alerts. */
    static final int ENTRIES = 50;

    /** How long a reader may reuse a feed before asking again (then usually answered 304). */
    static final String CACHE_CONTROL = "private, max-age=60";

    private static final Pattern TOKEN =
            Pattern.compile(Pattern.quote(FeedTokenStore.TOKEN_PREFIX) + "[A-Za-z0-9_-]{43}");

    /** A Host header fit to start links with: a name or IP literal, an optional port. */
    private static final Pattern HOST =
            Pattern.compile(
                    "(?:[A-Za-z0-9][A-Za-z0-9.-]{0,252}|\\[[0-9A-Fa-f:.]{2,45}])"
                            + "(?::[0-9]{1,5})?");

    private final FeedTokenStore feeds;
    private final HistoryStore history;
    private final MonitorStore monitors;
    private final TenantRateLimiter limits;

    public FeedRoutes(
            FeedTokenStore feeds,
            HistoryStore history,
            MonitorStore monitors,
            TenantRateLimiter limits) {
        this.feeds = feeds;
        this.history = history;
        this.monitors = monitors;
        this.limits = limits;
    }

    /** {@code POST /v1/feeds} body: a monitor's feed, or without one the tenant's. */
    public record CreateFeedRequest(UUID monitorId) {}

    /** A feed as listed (no secret). */
    public record FeedView(UUID id, UUID monitorId, String prefix, Instant createdAt) {
        static FeedView of(FeedTokenStore.Feed feed) {
            return new FeedView(feed.id(), feed.monitorId(), feed.prefix(), feed.createdAt());
        }
    }

    /** A new feed: its URL carries the token, shown only here. */
    public record FeedCreated(
            UUID id, UUID monitorId, String prefix, Instant createdAt, String url, String token) {}

    public List<Route> routes() {
        return List.of(
                Route.post("/v1/feeds", Access.TENANT, this::create),
                Route.get("/v1/feeds", Access.TENANT, this::list),
                Route.delete("/v1/feeds/{id}", Access.TENANT, this::revoke),
                Route.get("/feeds/{token}.atom", Access.PUBLIC, this::atom));
    }

    private void create(Context ctx, Caller caller) throws SQLException {
        CreateFeedRequest body = JsonBodies.read(ctx, CreateFeedRequest.class);
        String origin = origin(ctx);
        FeedTokenStore.Created created =
                feeds.create(caller.requireTenant(), body.monitorId())
                        .orElseThrow(() -> ApiException.notFound("monitor"));
        FeedTokenStore.Feed feed = created.feed();
        Json.respond(
                ctx,
                201,
                new FeedCreated(
                        feed.id(),
                        feed.monitorId(),
                        feed.prefix(),
                        feed.createdAt(),
                        origin + "/feeds/" + created.token() + ".atom",
                        created.token()));
    }

    private void list(Context ctx, Caller caller) throws SQLException {
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
        List<FeedTokenStore.Feed> rows = feeds.list(caller.requireTenant(), after, limit + 1);
        List<FeedView> items =
                rows.subList(0, Math.min(limit, rows.size())).stream().map(FeedView::of).toList();
        String next =
                rows.size() > limit ? Cursor.encode(items.get(limit - 1).id().toString()) : null;
        Json.respond(ctx, 200, new Page<>(items, next));
    }

    private void revoke(Context ctx, Caller caller) throws SQLException {
        if (!feeds.revoke(caller.requireTenant(), QueryParams.pathId(ctx, "id", "feed"))) {
            throw ApiException.notFound("feed");
        }
        ctx.status(204);
    }

    private void atom(Context ctx, Caller caller) throws SQLException {
        String token = ctx.pathParam("token");
        if (!TOKEN.matcher(token).matches()) {
            throw ApiException.notFound("feed");
        }
        FeedTokenStore.Grant grant =
                feeds.resolve(token).orElseThrow(() -> ApiException.notFound("feed"));
        // a feed is one of the tenant's reads, whoever holds the URL
        ctx.attribute(RequestObserver.TENANT_ATTRIBUTE, grant.tenantId());
        limits.acquire(grant.tenantId(), TenantRateLimiter.Kind.READ);
        String origin = origin(ctx);
        AlertFeed.Head head;
        if (grant.monitorId() == null) {
            head =
                    new AlertFeed.Head(
                            grant.feedId(),
                            "Flinkwatch alerts",
                            origin + "/app/alerts",
                            grant.createdAt());
        } else {
            String name =
                    monitors.find(grant.tenantId(), grant.monitorId())
                            .orElseThrow(() -> ApiException.notFound("feed"))
                            .name();
            head =
                    new AlertFeed.Head(
                            grant.feedId(),
                            "Flinkwatch alerts: " + name,
                            origin + "/app/monitors/" + grant.monitorId(),
                            grant.createdAt());
        }
        List<AlertView> alerts =
                history.alerts(grant.tenantId(), grant.monitorId(), null, null, ENTRIES).items();
        String body = AlertFeed.render(head, origin, alerts);
        // from the document itself: any change (a new alert, a renamed or deleted monitor)
        // changes it, a timestamp would miss the last two
        String etag = "\"" + Hashing.sha256Hex128(body) + "\"";
        ctx.header("ETag", etag);
        ctx.header("Cache-Control", CACHE_CONTROL);
        if (notModified(ctx.header("If-None-Match"), etag)) {
            ctx.status(304);
            return;
        }
        ctx.status(200)
                .contentType(AlertFeed.CONTENT_TYPE)
                .result(body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Whether an {@code If-None-Match} header names the current entity tag (weak comparison, as RFC
     * 9110 prescribes for it: {@code W/} is ignored; {@code *} matches).
     */
    static boolean notModified(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals("*") || tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Scheme, host and port the request was sent to, which links in the feed start with: the reader
     * resolves them as it resolved the feed's own URL.
     */
    private static String origin(Context ctx) {
        String host = ctx.header("Host");
        if (host == null || !HOST.matcher(host).matches()) {
            throw ApiException.invalidParameter("Host", "must be a host name with optional port");
        }
        return ctx.scheme() + "://" + host;
    }
}
