package dev.flinkwatch.api.web;

import dev.flinkwatch.api.channels.ChannelRoutes;
import dev.flinkwatch.api.channels.ChannelTestRoutes;
import dev.flinkwatch.api.channels.NoticeRoutes;
import dev.flinkwatch.api.feeds.FeedTokenStore;
import dev.flinkwatch.api.history.AlertView;
import dev.flinkwatch.api.history.CheckView;
import dev.flinkwatch.api.history.HistoryStore;
import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.api.http.Page;
import dev.flinkwatch.api.http.RequestObserver;
import dev.flinkwatch.api.monitors.MonitorRoutes;
import dev.flinkwatch.api.monitors.MonitorStore;
import dev.flinkwatch.api.monitors.MonitorView;
import dev.flinkwatch.api.ratelimit.TenantRateLimiter;
import dev.flinkwatch.api.tenants.ApiKeys;
import dev.flinkwatch.api.tenants.TenantStore;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorStatus;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * The web app under {@code /app}: server-rendered pages (JTE templates, precompiled at build time)
 * over the same stores and checks as the REST routes, with a session cookie instead of a bearer
 * key. Forms work without JavaScript (post, then redirect); htmx only swaps fragments in.
 */
public final class WebUi implements AutoCloseable {
    public static final String BASE = "/app";
    static final String COOKIE = "fw_session";
    static final int PAGE_SIZE = 50;

    private static final String CSP =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                    + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final WebUiSettings settings;
    private final WebSessions sessions;
    private final TenantStore tenants;
    private final MonitorStore monitors;
    private final MonitorRoutes monitorRoutes;
    private final HistoryStore history;
    private final ChannelRoutes channels;
    private final ChannelTestRoutes channelTests;
    private final NoticeRoutes notices;
    private final FeedTokenStore feeds;
    private final TenantRateLimiter limits;
    private final Previews previews;
    private final TemplateEngine templates = TemplateEngine.createPrecompiled(ContentType.Html);
    private final Map<String, Asset> assets;

    /**
     * @param preview how previews fetch; null answers previews with "not available"
     */
    public WebUi(
            WebUiSettings settings,
            WebSessions sessions,
            TenantStore tenants,
            MonitorStore monitors,
            MonitorRoutes monitorRoutes,
            HistoryStore history,
            ChannelRoutes channels,
            ChannelTestRoutes channelTests,
            NoticeRoutes notices,
            FeedTokenStore feeds,
            TenantRateLimiter limits,
            PreviewSettings preview) {
        this.settings = settings;
        this.sessions = sessions;
        this.tenants = tenants;
        this.monitors = monitors;
        this.monitorRoutes = monitorRoutes;
        this.history = history;
        this.channels = channels;
        this.channelTests = channelTests;
        this.notices = notices;
        this.feeds = feeds;
        this.limits = limits;
        this.previews =
                preview == null ? null : new Previews(preview, settings.previewsPerMinute());
        this.assets = assets();
    }

    /** A signed-in request's handler. */
    @FunctionalInterface
    interface PageHandler {
        void handle(Context ctx, WebSessions.Session session) throws Exception;
    }

    /** Adds the app's routes. */
    public void install(Javalin app) {
        app.get(
                BASE,
                ctx -> ctx.redirect(BASE + "/monitors", io.javalin.http.HttpStatus.SEE_OTHER));
        app.get(
                BASE + "/",
                ctx -> ctx.redirect(BASE + "/monitors", io.javalin.http.HttpStatus.SEE_OTHER));
        app.get(BASE + "/assets/{name}", this::asset);
        app.get(
                BASE + "/login",
                ctx -> timed(ctx, "/login", () -> render(ctx, 200, "login.jte", login(null))));
        app.post(BASE + "/login", this::signIn);
        signedIn(app, HandlerType.POST, "/logout", this::signOut);
        signedIn(app, HandlerType.GET, "/monitors", this::monitorList);
        signedIn(app, HandlerType.GET, "/monitors/new", this::newMonitor);
        signedIn(app, HandlerType.POST, "/monitors", this::createMonitor);
        signedIn(app, HandlerType.POST, "/preview", this::preview);
        signedIn(app, HandlerType.GET, "/monitors/{id}", this::monitorPage);
        signedIn(app, HandlerType.GET, "/monitors/{id}/edit", this::editMonitor);
        signedIn(app, HandlerType.GET, "/checks/{id}/screenshot", this::screenshot);
        signedIn(app, HandlerType.POST, "/monitors/{id}", this::updateMonitor);
        signedIn(
                app,
                HandlerType.POST,
                "/monitors/{id}/pause",
                (ctx, s) -> setStatus(ctx, s, MonitorStatus.PAUSED));
        signedIn(
                app,
                HandlerType.POST,
                "/monitors/{id}/resume",
                (ctx, s) -> setStatus(ctx, s, MonitorStatus.ACTIVE));
        signedIn(app, HandlerType.POST, "/monitors/{id}/delete", this::deleteMonitor);
        signedIn(app, HandlerType.GET, "/alerts", (ctx, s) -> alerts(ctx, s, null));
        signedIn(app, HandlerType.POST, "/feeds", this::createFeed);
        signedIn(app, HandlerType.POST, "/feeds/{id}/revoke", this::revokeFeed);
        signedIn(app, HandlerType.GET, "/keys", (ctx, s) -> keys(ctx, s, null));
        signedIn(app, HandlerType.POST, "/keys", this::createKey);
        signedIn(app, HandlerType.POST, "/keys/{id}/revoke", this::revokeKey);
        signedIn(
                app,
                HandlerType.GET,
                "/channels",
                (ctx, s) -> channelPage(ctx, s, 200, ChannelForm.blank(), Map.of(), null));
        signedIn(app, HandlerType.POST, "/channels", this::createChannel);
        signedIn(app, HandlerType.POST, "/channels/{id}/test", this::testChannel);
        signedIn(app, HandlerType.POST, "/channels/{id}/delete", this::deleteChannel);
    }

    private void signedIn(Javalin app, HandlerType method, String path, PageHandler handler) {
        app.addHttpHandler(
                method,
                BASE + path,
                ctx ->
                        timed(
                                ctx,
                                path,
                                () -> {
                                    Optional<WebSessions.Session> session =
                                            sessions.find(ctx.cookie(COOKIE));
                                    if (session.isEmpty()) {
                                        ctx.redirect(
                                                BASE + "/login",
                                                io.javalin.http.HttpStatus.SEE_OTHER);
                                        return;
                                    }
                                    WebSessions.Session s = session.get();
                                    ctx.attribute(RequestObserver.TENANT_ATTRIBUTE, s.tenantId());
                                    limits.acquire(s.tenantId(), TenantRateLimiter.Kind.of(method));
                                    if (method == HandlerType.POST) {
                                        refuseForgery(ctx, s.csrfToken());
                                    }
                                    handler.handle(ctx, s);
                                }));
    }

    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    /** Security headers, the route for metrics, and the server time of the page. */
    private void timed(Context ctx, String path, Work work) throws Exception {
        long start = System.nanoTime();
        ctx.attribute(RequestObserver.ROUTE_ATTRIBUTE, BASE + path);
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "same-origin");
        ctx.header("Cache-Control", "no-store");
        try {
            work.run();
        } catch (ApiException e) {
            if (e.status() == 403 || e.status() == 429 || ctx.method() != HandlerType.GET) {
                throw e; // the JSON error document, naming the field
            }
            render(
                    ctx,
                    e.status(),
                    "error.jte",
                    Map.of(
                            "page",
                            new WebPage("Not available", null, null),
                            "message",
                            e.getMessage()));
        } finally {
            // read by the benchmark and the browser's devtools: the page's time in this server
            ctx.header(
                    "Server-Timing",
                    String.format(Locale.ROOT, "app;dur=%.1f", (System.nanoTime() - start) / 1e6));
        }
    }

    private void refuseForgery(Context ctx, String sessionToken) {
        String sent = ctx.header(CsrfCheck.HEADER);
        if (sent == null) {
            sent = ctx.formParam(CsrfCheck.FIELD);
        }
        CsrfCheck.check(
                        sessionToken,
                        sent,
                        ctx.header("Sec-Fetch-Site"),
                        ctx.header("Origin"),
                        ownOrigin(ctx))
                .ifPresent(WebUi::refuse);
    }

    private static void refuse(CsrfCheck.Refusal refusal) {
        throw switch (refusal) {
            case CROSS_SITE_REQUEST ->
                    new ApiException(
                            403,
                            "cross_site_request",
                            "a form of another site may not post here",
                            Map.of("Origin", "must be this site"));
            case CSRF_TOKEN_INVALID ->
                    new ApiException(
                            403,
                            "csrf_token_invalid",
                            "the form's token is missing or expired; reload the page",
                            Map.of(CsrfCheck.FIELD, "must be the token of your session"));
        };
    }

    private boolean overTls(Context ctx) {
        String forwarded = ctx.header("X-Forwarded-Proto");
        return settings.secureCookies()
                || "https".equalsIgnoreCase(ctx.scheme())
                || (forwarded != null && forwarded.strip().equalsIgnoreCase("https"));
    }

    private String ownOrigin(Context ctx) {
        String host = ctx.header("Host");
        return (overTls(ctx) ? "https" : "http") + "://" + (host == null ? ctx.host() : host);
    }

    // --- sign-in ---------------------------------------------------------------------------

    private static Map<String, Object> login(String error) {
        Map<String, Object> model = new HashMap<>();
        model.put("page", new WebPage("Sign in", null, null));
        model.put("error", error);
        return model;
    }

    private void signIn(Context ctx) throws Exception {
        timed(
                ctx,
                "/login",
                () -> {
                    // no session yet, so no token: a sign-in from another site is refused by origin
                    CsrfCheck.check(
                                    "-",
                                    "-",
                                    ctx.header("Sec-Fetch-Site"),
                                    ctx.header("Origin"),
                                    ownOrigin(ctx))
                            .ifPresent(WebUi::refuse);
                    String key = ctx.formParam("apiKey");
                    key = key == null ? "" : key.strip();
                    Optional<TenantStore.KeyOwner> owner =
                            key.startsWith(ApiKeys.PREFIX) && key.length() <= 200
                                    ? tenants.keyForHash(ApiKeys.sha256(key))
                                    : Optional.empty();
                    if (owner.isEmpty()) {
                        render(
                                ctx,
                                401,
                                "login.jte",
                                login("That API key is not valid (or was revoked)."));
                        return;
                    }
                    WebSessions.Started started =
                            sessions.start(owner.get().tenantId(), owner.get().keyId());
                    ctx.header(
                            "Set-Cookie",
                            cookie(
                                    started.cookieValue(),
                                    settings.absoluteTimeout().toSeconds(),
                                    overTls(ctx)));
                    ctx.redirect(BASE + "/monitors", io.javalin.http.HttpStatus.SEE_OTHER);
                });
    }

    private void signOut(Context ctx, WebSessions.Session session) throws SQLException {
        sessions.end(ctx.cookie(COOKIE));
        ctx.header("Set-Cookie", cookie("", 0, overTls(ctx)));
        ctx.redirect(BASE + "/login", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    /** The session cookie's Set-Cookie value; max age 0 deletes it. */
    static String cookie(String value, long maxAgeSeconds, boolean secure) {
        return COOKIE
                + "="
                + value
                + "; Path="
                + BASE
                + "; Max-Age="
                + maxAgeSeconds
                + "; HttpOnly; SameSite=Strict"
                + (secure ? "; Secure" : "");
    }

    // --- monitors --------------------------------------------------------------------------

    private void monitorList(Context ctx, WebSessions.Session s) throws Exception {
        String q = ctx.queryParam("q");
        q = q == null ? "" : q.strip();
        if (q.length() > 200) {
            throw ApiException.invalidParameter("q", "must be at most 200 characters");
        }
        String state = ctx.queryParam("state");
        MonitorStore.MonitorQuery.State filter = null;
        if (state != null && !state.isBlank()) {
            try {
                filter =
                        MonitorStore.MonitorQuery.State.valueOf(
                                state.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalidParameter(
                        "state", "must be active, paused, failing or new");
            }
        }
        Page<MonitorView> page =
                monitorRoutes.page(
                        s.tenantId(),
                        ctx.queryParam("cursor"),
                        PAGE_SIZE,
                        new MonitorStore.MonitorQuery(q, filter));
        Map<String, Object> model = model(s, "Monitors", "monitors");
        model.put("monitors", page.items());
        model.put("next", page.nextCursor());
        model.put("q", q);
        model.put("state", filter == null ? "" : filter.name().toLowerCase(Locale.ROOT));
        model.put("done", notice(ctx.queryParam("done")));
        render(ctx, 200, "monitors.jte", model);
    }

    /** Only known notices are shown: the query string is the user's, not ours. */
    private static String notice(String done) {
        if (done == null) {
            return null;
        }
        return switch (done) {
            case "created" -> "Monitor created.";
            case "saved" -> "Monitor saved.";
            case "paused" -> "Monitor paused.";
            case "resumed" -> "Monitor resumed.";
            case "deleted" -> "Monitor deleted.";
            default -> null;
        };
    }

    private void newMonitor(Context ctx, WebSessions.Session s) {
        renderForm(ctx, s, 200, MonitorForm.blank(), Map.of(), null, null);
    }

    private void renderForm(
            Context ctx,
            WebSessions.Session s,
            int status,
            MonitorForm form,
            Map<String, String> errors,
            UUID id,
            List<PreviewResult> preview) {
        Map<String, Object> model =
                model(s, id == null ? "New monitor" : "Edit monitor", "monitors");
        model.put("form", form);
        model.put("errors", errors);
        model.put("action", id == null ? BASE + "/monitors" : BASE + "/monitors/" + id);
        model.put("monitorId", id == null ? null : id.toString());
        model.put("preview", preview);
        model.put("previewAvailable", previews != null);
        render(ctx, status, "monitor-form.jte", model);
    }

    private void createMonitor(Context ctx, WebSessions.Session s) throws SQLException {
        MonitorForm form = MonitorForm.fromPost(ctx.formParamMap());
        MonitorForm.Parsed parsed = form.toBody();
        if (!parsed.problems().isEmpty()) {
            renderForm(ctx, s, 400, form, MonitorForm.byFormField(parsed.problems()), null, null);
            return;
        }
        MonitorView created;
        try {
            created = monitorRoutes.create(s.tenantId(), parsed.body());
        } catch (ApiException e) {
            renderForm(ctx, s, e.status(), form, problems(e), null, null);
            return;
        }
        ctx.redirect(
                BASE + "/monitors/" + created.id() + "?done=created",
                io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private static Map<String, String> problems(ApiException e) {
        return e.fields().isEmpty()
                ? Map.of("", e.getMessage())
                : MonitorForm.byFormField(e.fields());
    }

    private void editMonitor(Context ctx, WebSessions.Session s) throws SQLException {
        MonitorView monitor = find(ctx, s);
        renderForm(ctx, s, 200, MonitorForm.of(monitor), Map.of(), monitor.id(), null);
    }

    private void updateMonitor(Context ctx, WebSessions.Session s) throws SQLException {
        UUID id = monitorId(ctx);
        MonitorForm form = MonitorForm.fromPost(ctx.formParamMap());
        MonitorForm.Parsed parsed = form.toBody();
        if (!parsed.problems().isEmpty()) {
            renderForm(ctx, s, 400, form, MonitorForm.byFormField(parsed.problems()), id, null);
            return;
        }
        try {
            monitorRoutes
                    .replace(s.tenantId(), id, parsed.body())
                    .orElseThrow(() -> ApiException.notFound("monitor"));
        } catch (ApiException e) {
            if (e.status() == 404) {
                throw e;
            }
            renderForm(ctx, s, e.status(), form, problems(e), id, null);
            return;
        }
        ctx.redirect(
                BASE + "/monitors/" + id + "?done=saved", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private void preview(Context ctx, WebSessions.Session s) throws Exception {
        MonitorForm form = MonitorForm.fromPost(ctx.formParamMap());
        MonitorForm.Parsed parsed = form.toBody();
        Map<String, String> errors = MonitorForm.byFormField(parsed.problems());
        List<PreviewResult> results = null;
        if (errors.isEmpty()) {
            try {
                MonitorSpec spec =
                        monitorRoutes.newMonitor(parsed.body(), UUID.randomUUID(), s.tenantId());
                results =
                        previews == null
                                ? List.of(
                                        new PreviewResult(
                                                null,
                                                null,
                                                null,
                                                "previews are not available on this server",
                                                null,
                                                null,
                                                null))
                                : previews.preview(s.tenantId(), spec);
            } catch (ApiException e) {
                if (e.status() == 429) {
                    throw e;
                }
                errors = problems(e);
            }
        }
        if (ctx.header("HX-Request") != null) {
            Map<String, Object> model = new HashMap<>();
            model.put("results", results);
            model.put("errors", errors);
            render(ctx, 200, "preview.jte", model);
            return;
        }
        String idField = ctx.formParam("monitorId");
        UUID id = null;
        if (idField != null && !idField.isBlank()) {
            try {
                id = UUID.fromString(idField.strip());
            } catch (IllegalArgumentException e) {
                throw ApiException.validation(Map.of("monitorId", "must be a monitor id"));
            }
        }
        renderForm(ctx, s, errors.isEmpty() ? 200 : 400, form, errors, id, results);
    }

    private void monitorPage(Context ctx, WebSessions.Session s) throws SQLException {
        MonitorView monitor = find(ctx, s);
        Page<CheckView> checks = history.checks(s.tenantId(), monitor.id(), null, PAGE_SIZE);
        Page<AlertView> alerts = history.alerts(s.tenantId(), monitor.id(), null, null, PAGE_SIZE);
        Map<String, Object> model = model(s, monitor.name(), "monitors");
        model.put("monitor", monitor);
        model.put("changes", ChangeRow.of(checks.items(), alerts.items()));
        model.put("alerts", alerts.items());
        model.put("done", notice(ctx.queryParam("done")));
        render(ctx, 200, "monitor.jte", model);
    }

    /** A check's screenshot, for the history page: the same tenant-scoped read as the API's. */
    private void screenshot(Context ctx, WebSessions.Session s) throws SQLException {
        long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw ApiException.notFound("screenshot");
        }
        byte[] jpeg =
                history.screenshot(s.tenantId(), id)
                        .orElseThrow(() -> ApiException.notFound("screenshot"));
        ctx.header("Cache-Control", "private, max-age=86400");
        ctx.contentType("image/jpeg").result(jpeg);
    }

    private void setStatus(Context ctx, WebSessions.Session s, MonitorStatus status)
            throws SQLException {
        UUID id = monitorId(ctx);
        monitorRoutes
                .setStatus(s.tenantId(), id, status)
                .orElseThrow(() -> ApiException.notFound("monitor"));
        ctx.redirect(
                BASE
                        + "/monitors/"
                        + id
                        + "?done="
                        + (status == MonitorStatus.PAUSED ? "paused" : "resumed"),
                io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private void deleteMonitor(Context ctx, WebSessions.Session s) throws SQLException {
        if (!monitorRoutes.delete(s.tenantId(), monitorId(ctx))) {
            throw ApiException.notFound("monitor");
        }
        ctx.redirect(BASE + "/monitors?done=deleted", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private MonitorView find(Context ctx, WebSessions.Session s) throws SQLException {
        return monitors.find(s.tenantId(), monitorId(ctx))
                .orElseThrow(() -> ApiException.notFound("monitor"));
    }

    private static UUID monitorId(Context ctx) {
        try {
            return UUID.fromString(ctx.pathParam("id"));
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("monitor");
        }
    }

    // --- alerts and keys -------------------------------------------------------------------

    private void alerts(Context ctx, WebSessions.Session s, String newFeed) throws SQLException {
        Page<AlertView> page =
                history.alerts(s.tenantId(), null, null, ctx.queryParam("cursor"), PAGE_SIZE);
        Map<String, Object> model = model(s, "Alerts", "alerts");
        model.put("alerts", page.items());
        model.put("feeds", feeds.list(s.tenantId(), null, 100));
        model.put("newFeed", newFeed);
        model.put("next", page.nextCursor());
        render(ctx, 200, "alerts.jte", model);
    }

    /** A feed of the tenant's alerts, or of one monitor's ({@code monitorId}); its URL once. */
    private void createFeed(Context ctx, WebSessions.Session s) throws SQLException {
        String monitor = ctx.formParam("monitorId");
        UUID monitorId = null;
        if (monitor != null && !monitor.isBlank()) {
            try {
                monitorId = UUID.fromString(monitor.strip());
            } catch (IllegalArgumentException e) {
                throw ApiException.validation(Map.of("monitorId", "must be a monitor id"));
            }
        }
        FeedTokenStore.Created created =
                feeds.create(s.tenantId(), monitorId)
                        .orElseThrow(() -> ApiException.notFound("monitor"));
        alerts(ctx, s, ownOrigin(ctx) + "/feeds/" + created.token() + ".atom");
    }

    private void revokeFeed(Context ctx, WebSessions.Session s) throws SQLException {
        if (!feeds.revoke(s.tenantId(), pathId(ctx, "feed"))) {
            throw ApiException.notFound("feed");
        }
        ctx.redirect(BASE + "/alerts", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private void keys(Context ctx, WebSessions.Session s, String newKey) throws SQLException {
        Map<String, Object> model = model(s, "API keys", "keys");
        model.put("keys", tenants.keys(s.tenantId()));
        model.put("newKey", newKey);
        model.put("currentKey", s.keyId());
        render(ctx, newKey == null ? 200 : 201, "keys.jte", model);
    }

    private void createKey(Context ctx, WebSessions.Session s) throws SQLException {
        TenantStore.IssuedKey issued =
                tenants.issueKey(s.tenantId()).orElseThrow(() -> ApiException.notFound("tenant"));
        keys(ctx, s, issued.key().secret());
    }

    private void revokeKey(Context ctx, WebSessions.Session s) throws SQLException {
        UUID keyId;
        try {
            keyId = UUID.fromString(ctx.pathParam("id"));
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("key");
        }
        if (!tenants.revokeKey(keyId, s.tenantId())) {
            throw ApiException.notFound("key");
        }
        // revoking the key of this session ends it: the next page asks to sign in again
        ctx.redirect(BASE + "/keys", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    // --- channels --------------------------------------------------------------------------

    private void channelPage(
            Context ctx,
            WebSessions.Session s,
            int status,
            ChannelForm form,
            Map<String, String> errors,
            String tested)
            throws SQLException {
        Map<String, Object> model = model(s, "Channels", "channels");
        model.put("available", channels.available());
        model.put("channels", channels.available() ? channels.first(s.tenantId(), 200) : List.of());
        model.put("form", form);
        model.put("errors", errors);
        model.put("tested", tested);
        model.put("notices", notices.newest(s.tenantId(), 20));
        render(ctx, status, "channels.jte", model);
    }

    private void createChannel(Context ctx, WebSessions.Session s) throws SQLException {
        ChannelForm form = ChannelForm.fromPost(ctx.formParamMap());
        try {
            channels.create(s.tenantId(), form.toRequest());
        } catch (ApiException e) {
            if (e.status() == 503 || e.status() == 429) {
                throw e;
            }
            channelPage(
                    ctx,
                    s,
                    e.status(),
                    form,
                    e.fields().isEmpty()
                            ? Map.of("", e.getMessage())
                            : ChannelForm.byFormField(e.fields()),
                    null);
            return;
        }
        ctx.redirect(BASE + "/channels", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private void testChannel(Context ctx, WebSessions.Session s) throws Exception {
        UUID id = pathId(ctx, "channel");
        ChannelTestRoutes.TestResult result;
        String tested;
        try {
            result = channelTests.test(s.tenantId(), id, ownOrigin(ctx) + BASE + "/alerts");
            tested =
                    result.delivered()
                            ? "Test message delivered"
                                    + (result.httpStatus() == null
                                            ? "."
                                            : " (HTTP " + result.httpStatus() + ").")
                            : "Test message not delivered: "
                                    + (result.error() == null ? "" : result.error() + " ")
                                    + (result.message() == null ? "" : result.message());
        } catch (ApiException e) {
            if (e.status() == 404 || e.status() == 429) {
                throw e;
            }
            tested = "Test message not sent: " + e.getMessage();
        }
        channelPage(ctx, s, 200, ChannelForm.blank(), Map.of(), tested);
    }

    private void deleteChannel(Context ctx, WebSessions.Session s) throws SQLException {
        if (!channels.delete(s.tenantId(), pathId(ctx, "channel"))) {
            throw ApiException.notFound("channel");
        }
        ctx.redirect(BASE + "/channels", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private static UUID pathId(Context ctx, String what) {
        try {
            return UUID.fromString(ctx.pathParam("id"));
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound(what);
        }
    }

    // --- rendering -------------------------------------------------------------------------

    private static Map<String, Object> model(WebSessions.Session s, String title, String section) {
        Map<String, Object> model = new HashMap<>();
        model.put("page", new WebPage(title, section, s.csrfToken()));
        return model;
    }

    private void render(Context ctx, int status, String template, Map<String, Object> model) {
        StringOutput out = new StringOutput();
        templates.render(template, model, out);
        ctx.status(status).contentType("text/html; charset=utf-8").result(out.toString());
    }

    private record Asset(byte[] bytes, String contentType) {}

    private void asset(Context ctx) {
        Asset asset = assets.get(ctx.pathParam("name"));
        if (asset == null) {
            throw ApiException.notFound("asset");
        }
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Cache-Control", "public, max-age=3600");
        ctx.contentType(asset.contentType()).result(asset.bytes());
    }

    /** The app's CSS and htmx (from its WebJar, at the version the build pins). */
    private static Map<String, Asset> assets() {
        Properties versions = new Properties();
        try (InputStream in = WebUi.class.getResourceAsStream("web-ui.properties")) {
            versions.load(in);
            return Map.of(
                    "app.css",
                    new Asset(read("/dev/flinkwatch/api/web/app.css"), "text/css; charset=utf-8"),
                    "htmx.min.js",
                    new Asset(
                            read(
                                    "/META-INF/resources/webjars/htmx.org/"
                                            + versions.getProperty("htmx.version")
                                            + "/dist/htmx.min.js"),
                            "text/javascript; charset=utf-8"));
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("web app assets missing from the classpath", e);
        }
    }

    private static byte[] read(String resource) throws IOException {
        try (InputStream in = WebUi.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " not found");
            }
            return in.readAllBytes();
        }
    }

    @Override
    public void close() throws Exception {
        if (previews != null) {
            previews.close();
        }
    }
}
