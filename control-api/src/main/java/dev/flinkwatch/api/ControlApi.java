package dev.flinkwatch.api;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.flinkwatch.api.channels.ChannelChecks;
import dev.flinkwatch.api.channels.ChannelRoutes;
import dev.flinkwatch.api.channels.ChannelTestRoutes;
import dev.flinkwatch.api.channels.MonitorChannels;
import dev.flinkwatch.api.channels.NoticeRoutes;
import dev.flinkwatch.api.channels.WebhookSecretRoutes;
import dev.flinkwatch.api.feeds.FeedRoutes;
import dev.flinkwatch.api.feeds.FeedTokenStore;
import dev.flinkwatch.api.history.HistoryRoutes;
import dev.flinkwatch.api.history.HistoryStore;
import dev.flinkwatch.api.http.Caller;
import dev.flinkwatch.api.http.CallerResolver;
import dev.flinkwatch.api.http.ErrorResponses;
import dev.flinkwatch.api.http.RequestObserver;
import dev.flinkwatch.api.http.Route;
import dev.flinkwatch.api.imports.ImportRoutes;
import dev.flinkwatch.api.monitors.BatchCreate;
import dev.flinkwatch.api.monitors.DeletedMonitorPurge;
import dev.flinkwatch.api.monitors.MonitorBatchRoutes;
import dev.flinkwatch.api.monitors.MonitorRoutes;
import dev.flinkwatch.api.monitors.MonitorSpecChecks;
import dev.flinkwatch.api.monitors.MonitorStore;
import dev.flinkwatch.api.ops.OperationsRoutes;
import dev.flinkwatch.api.ops.Readiness;
import dev.flinkwatch.api.ops.ReadinessCheck;
import dev.flinkwatch.api.outbox.OutboxBacklog;
import dev.flinkwatch.api.outbox.OutboxRelay;
import dev.flinkwatch.api.ratelimit.TenantRateLimiter;
import dev.flinkwatch.api.tenants.Authenticator;
import dev.flinkwatch.api.tenants.TenantRoutes;
import dev.flinkwatch.api.tenants.TenantStore;
import dev.flinkwatch.api.web.WebSessions;
import dev.flinkwatch.api.web.WebUi;
import dev.flinkwatch.delivery.ChannelSenders;
import dev.flinkwatch.delivery.ChannelStore;
import dev.flinkwatch.delivery.SecretBox;
import dev.flinkwatch.delivery.WebhookSecrets;
import dev.flinkwatch.fetch.HostResolver;
import dev.flinkwatch.fetch.SsrfGuard;
import dev.flinkwatch.model.MonitorSpecValidator;
import dev.flinkwatch.schema.SchemaMigrations;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control API as an embeddable service: HTTP routes, the outbox relay and readiness, started
 * together on a given database and stopped together by {@link #close()}.
 *
 * <pre>{@code
 * ControlApi api = ControlApi.start(ControlApiConfig.builder(token)
 *         .port(0).kafkaBootstrapServers(kafka).build(), dataSource);
 * api.addReadinessCheck(new ReadinessCheck("flink-job", () -> ...));
 * URI base = URI.create(api.baseUrl());
 * }</pre>
 *
 * <p>The given DataSource is pooled by the API (HikariCP, {@link ControlApiConfig#dbPoolSize()})
 * unless it already is a {@link HikariDataSource}; the API never closes a DataSource it was given.
 */
public final class ControlApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlApi.class);
    private static final int LEGACY_BATCH = 100;

    private final ControlApiConfig config;
    private final HikariDataSource ownPool;
    private final Readiness readiness = new Readiness();
    private final PrometheusMeterRegistry metrics =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final OutboxRelay relay;
    private final DeletedMonitorPurge purge;
    private final BatchCreate batches;
    private final List<Route> routes;
    private final MonitorStore monitors;
    private final ExecutorService dnsExecutor;
    private final ChannelSenders channelSenders;
    private final WebUi webUi;
    private final Javalin app;

    private ControlApi(ControlApiConfig config, DataSource given) {
        this.config = config;
        this.ownPool =
                given instanceof HikariDataSource
                        ? null
                        : pool(given, config.dbPoolSize(), metrics);
        DataSource db = ownPool != null ? ownPool : given;
        if (config.migrateSchema()) {
            SchemaMigrations.migrate(db);
        }
        readiness.add(new ReadinessCheck("database", () -> verifyDatabase(db)));
        new OutboxBacklog(db, metrics);
        relay =
                new OutboxRelay(
                        db,
                        OutboxRelay.kafkaProducers(config.kafkaBootstrapServers()),
                        new OutboxRelay.Settings(
                                config.monitorsTopic(),
                                config.relayBatchSize(),
                                config.relayPollInterval(),
                                Duration.ofSeconds(10),
                                config.outboxRetention()),
                        metrics);
        readiness.add(new ReadinessCheck("outbox-relay", relay::verifyRunning));
        purge =
                new DeletedMonitorPurge(
                        db,
                        new DeletedMonitorPurge.Settings(
                                config.deletedMonitorRetention(),
                                config.purgeInterval(),
                                config.purgeBatchSize(),
                                config.screenshots()),
                        metrics);
        TenantStore tenants = new TenantStore(db);
        SecretBox box =
                config.deliverySecretKeyset() == null
                        ? null
                        : SecretBox.fromKeysetJson(config.deliverySecretKeyset());
        ChannelStore channels = box == null ? null : new ChannelStore(db, box);
        MonitorStore monitors =
                new MonitorStore(db, config.defaultMonitorQuota(), new MonitorChannels(channels));
        dnsExecutor = Executors.newFixedThreadPool(2, ControlApi::dnsThread);
        routes = new ArrayList<>();
        routes.addAll(new OperationsRoutes(readiness, metrics).routes());
        routes.addAll(new TenantRoutes(tenants).routes());
        MonitorRoutes monitorRoutes =
                new MonitorRoutes(
                        monitors,
                        new MonitorSpecChecks(
                                new MonitorSpecValidator(config.validationLimits()),
                                config.addressPolicy()),
                        relay::wakeUp);
        routes.addAll(monitorRoutes.routes());
        batches =
                new BatchCreate(
                        monitors,
                        monitorRoutes::newMonitor,
                        Math.min(4, Runtime.getRuntime().availableProcessors()),
                        relay::wakeUp);
        routes.addAll(new MonitorBatchRoutes(batches).routes());
        routes.addAll(new ImportRoutes(batches).routes());
        HistoryStore history = new HistoryStore(db);
        routes.addAll(new HistoryRoutes(history, monitors).routes());
        TenantRateLimiter limits = new TenantRateLimiter(config.writeLimit(), config.readLimit());
        FeedTokenStore feeds = new FeedTokenStore(db);
        routes.addAll(new FeedRoutes(feeds, history, monitors, limits).routes());
        routes.addAll(
                new WebhookSecretRoutes(box == null ? null : new WebhookSecrets(db, box)).routes());
        channelSenders =
                config.delivery() == null
                        ? null
                        : new ChannelSenders(config.delivery(), HostResolver.system());
        ChannelTestRoutes channelTests =
                new ChannelTestRoutes(
                        channels,
                        box == null ? null : new WebhookSecrets(db, box),
                        channelSenders,
                        config.delivery() == null
                                ? Duration.ZERO
                                : config.delivery().requestTimeout().plusSeconds(15));
        routes.addAll(channelTests.routes());
        NoticeRoutes notices = new NoticeRoutes(db);
        routes.addAll(notices.routes());
        ChannelRoutes channelRoutes =
                new ChannelRoutes(
                        channels,
                        new ChannelChecks(
                                config.addressPolicy(),
                                new SsrfGuard(
                                        config.addressPolicy(),
                                        HostResolver.system(),
                                        dnsExecutor,
                                        Duration.ofMinutes(1))));
        routes.addAll(channelRoutes.routes());
        this.monitors = monitors;
        webUi =
                new WebUi(
                        config.web(),
                        new WebSessions(
                                db, config.web().idleTimeout(), config.web().absoluteTimeout()),
                        tenants,
                        monitors,
                        monitorRoutes,
                        history,
                        channelRoutes,
                        channelTests,
                        notices,
                        feeds,
                        limits,
                        config.preview());
        app =
                createApp(
                        routes,
                        new Authenticator(tenants, config.adminToken()),
                        limits,
                        metrics,
                        webUi);
    }

    /**
     * Starts the API: migrates the schema (unless disabled), starts the outbox relay and the purge
     * of deleted monitors, and listens on {@link ControlApiConfig#bindHost()}:{@link
     * ControlApiConfig#port()}.
     */
    public static ControlApi start(ControlApiConfig config, DataSource dataSource) {
        ControlApi api = new ControlApi(config, dataSource);
        try {
            api.migrateLegacyWebhooks();
            api.app.start(config.bindHost(), config.port());
            api.relay.start();
            api.purge.start();
        } catch (RuntimeException e) {
            api.close();
            throw e;
        }
        LOG.info("event=control_api_started url={} config={}", api.baseUrl(), config);
        return api;
    }

    /**
     * Moves plaintext {@code notify.webhookUrl}s of monitors stored before channels existed into
     * encrypted implicit channels. Needs the keyset (so it cannot be a SQL migration); without one
     * the rows stay as they are and a warning says how many.
     */
    private void migrateLegacyWebhooks() {
        if (config.deliverySecretKeyset() == null) {
            return;
        }
        try {
            int total = 0;
            for (int n; (n = monitors.migrateLegacyWebhooks(LEGACY_BATCH)) > 0; ) {
                total += n;
            }
            if (total > 0) {
                relay.wakeUp();
                LOG.info("event=legacy_webhooks_migrated monitors={}", total);
            }
        } catch (SQLException e) {
            // The database may be down at start; the next start tries again.
            LOG.warn("event=legacy_webhooks_not_migrated error={}", e.toString());
        }
    }

    /** The port actually listened on (useful with port 0). */
    public int port() {
        return app.port();
    }

    /** {@code http://<bindHost>:<port>}, without a trailing slash. */
    public String baseUrl() {
        String host =
                config.bindHost().contains(":") ? "[" + config.bindHost() + "]" : config.bindHost();
        return "http://" + host + ":" + port();
    }

    /** The registry {@code /metrics} serves, for embedders that add their own meters. */
    public MeterRegistry meterRegistry() {
        return metrics;
    }

    /** Adds a condition to {@code /readyz}; may be called at any time. */
    public void addReadinessCheck(ReadinessCheck check) {
        readiness.add(check);
    }

    /** Every route the API serves (method, path template, access). */
    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /**
     * Stops HTTP first, then the relay (finishing its round) and the purge, then the pool it
     * created.
     */
    @Override
    public void close() {
        app.stop();
        batches.close();
        relay.close();
        purge.close();
        dnsExecutor.shutdownNow();
        closeQuietly(channelSenders);
        closeQuietly(webUi);
        readiness.close();
        metrics.close();
        if (ownPool != null) {
            ownPool.close();
        }
        LOG.info("event=control_api_stopped");
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn(
                    "event=close_failed what={} error={}",
                    closeable.getClass().getSimpleName(),
                    e.toString());
        }
    }

    private static Javalin createApp(
            List<Route> routes,
            CallerResolver callers,
            TenantRateLimiter limits,
            PrometheusMeterRegistry metrics,
            WebUi webUi) {
        Javalin app =
                Javalin.create(
                        cfg -> {
                            cfg.showJavalinBanner = false;
                            cfg.startupWatcherEnabled = false;
                            cfg.http.prefer405over404 = true;
                            cfg.requestLogger.http(new RequestObserver(metrics));
                        });
        ErrorResponses.install(app);
        for (Route route : routes) {
            app.addHttpHandler(
                    route.method(), route.path(), ctx -> handle(route, callers, limits, ctx));
        }
        webUi.install(app);
        return app;
    }

    private static void handle(
            Route route, CallerResolver callers, TenantRateLimiter limits, Context ctx)
            throws Exception {
        ctx.attribute(RequestObserver.ROUTE_ATTRIBUTE, route.path());
        Caller caller = callers.resolve(ctx, route.access());
        if (caller.tenantId() != null) {
            ctx.attribute(RequestObserver.TENANT_ATTRIBUTE, caller.tenantId());
            limits.acquire(caller.tenantId(), TenantRateLimiter.Kind.of(route.method()));
        }
        route.handler().handle(ctx, caller);
    }

    private static void verifyDatabase(DataSource db) throws SQLException {
        try (Connection c = db.getConnection()) {
            if (!c.isValid(2)) {
                throw new SQLException("connection is not valid");
            }
        }
    }

    private static Thread dnsThread(Runnable r) {
        Thread t = new Thread(r, "control-api-dns");
        t.setDaemon(true);
        return t;
    }

    private static HikariDataSource pool(
            DataSource dataSource, int size, PrometheusMeterRegistry metrics) {
        HikariConfig hikari = new HikariConfig();
        hikari.setDataSource(dataSource);
        hikari.setPoolName("control-api");
        // hikaricp_connections_{active,idle,pending,max,min}, _acquire/_usage/_creation_seconds
        hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(metrics));
        hikari.setMaximumPoolSize(size);
        hikari.setConnectionTimeout(Duration.ofSeconds(5).toMillis());
        // Start even while the database is down: /readyz reports it, requests get 503.
        hikari.setInitializationFailTimeout(-1);
        return new HikariDataSource(hikari);
    }
}
