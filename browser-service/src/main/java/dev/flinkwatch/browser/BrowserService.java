package dev.flinkwatch.browser;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkwatch.fetch.HostResolver;
import dev.flinkwatch.fetch.SsrfGuard;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser service: {@code POST /render}, {@code GET /healthz}, {@code GET /metrics} over a
 * {@link BrowserPool}. Embeddable ({@link #start}, {@link #port}, {@link #close}) so the local
 * stack can run it in-process; {@link BrowserServiceMain} runs it standalone. See docs/browser.md.
 */
public final class BrowserService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrowserService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY_BYTES = 64 * 1024;

    private final PrometheusMeterRegistry registry =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ExecutorService dnsExecutor;
    private final BrowserPool pool;
    private final BrowserMetrics metrics;
    private final BrowserConfig config;
    private final Javalin app;

    private BrowserService(BrowserConfig config) {
        this.config = config;
        this.metrics = new BrowserMetrics(registry);
        this.dnsExecutor =
                new ThreadPoolExecutor(
                        config.dnsThreads(),
                        config.dnsThreads(),
                        0,
                        TimeUnit.MILLISECONDS,
                        new ArrayBlockingQueue<>(1000),
                        r -> {
                            Thread t = new Thread(r, "browser-dns");
                            t.setDaemon(true);
                            return t;
                        },
                        new ThreadPoolExecutor.AbortPolicy());
        SsrfGuard ssrf =
                new SsrfGuard(
                        config.addressPolicy(),
                        HostResolver.system(),
                        dnsExecutor,
                        config.dnsCacheTtl());
        RequestGuard guard = new RequestGuard(ssrf, Duration.ofSeconds(10));
        try {
            this.pool =
                    new BrowserPool(
                            config, new PageRenderer(config, guard, metrics), guard, metrics);
        } catch (RuntimeException e) {
            // Chromium did not start: nothing of this instance may outlive the refusal.
            dnsExecutor.shutdownNow();
            registry.close();
            throw e;
        }
        this.app =
                Javalin.create(
                        cfg -> {
                            cfg.showJavalinBanner = false;
                            cfg.startupWatcherEnabled = false;
                            cfg.http.maxRequestSize = MAX_BODY_BYTES;
                            cfg.http.prefer405over404 = true;
                        });
        app.post("/render", this::render);
        app.get("/healthz", this::health);
        app.get(
                "/metrics",
                ctx -> ctx.contentType("text/plain; version=0.0.4").result(registry.scrape()));
        // Javalin's own refusals (unknown route, wrong method, body over the limit): the caller's
        // request, answered in the service's error format.
        app.exception(
                HttpResponseException.class,
                (e, ctx) -> {
                    ObjectNode error = JSON.createObjectNode();
                    error.put("code", ErrorCode.VALIDATION_FAILED.wire());
                    error.put("message", e.getMessage());
                    error.putObject("fields").put("request", e.getMessage());
                    ObjectNode body = JSON.createObjectNode();
                    body.set("error", error);
                    ctx.status(e.getStatus())
                            .contentType("application/json")
                            .result(body.toString());
                });
        app.exception(
                Exception.class,
                (e, ctx) -> {
                    LOG.warn("event=request_failed error={}", e.toString());
                    error(ctx, new RenderFailure(ErrorCode.NAVIGATION_FAILED, "internal error"));
                });
    }

    /**
     * Starts the browsers (one per slot) and the HTTP server.
     *
     * @throws IllegalStateException when Chromium does not start or the port is taken
     */
    public static BrowserService start(BrowserConfig config) {
        BrowserService service = new BrowserService(config);
        try {
            service.app.start(config.bindHost(), config.port());
        } catch (RuntimeException e) {
            service.close();
            throw new IllegalStateException(
                    "browser service could not listen on "
                            + config.bindHost()
                            + ":"
                            + config.port(),
                    e);
        }
        LOG.info(
                "event=browser_service_ready port={} slots={}",
                service.port(),
                config.maxConcurrent());
        return service;
    }

    /** Whether a Chromium executable is there to start (the local stack's check). */
    public static boolean chromiumAvailable(Path path) {
        return path != null && Files.isRegularFile(path) && Files.isExecutable(path);
    }

    public int port() {
        return app.port();
    }

    public String baseUrl() {
        return "http://" + config.bindHost() + ":" + port();
    }

    /** The registry {@code /metrics} serves. */
    public PrometheusMeterRegistry metrics() {
        return registry;
    }

    private void render(Context ctx) {
        long start = System.nanoTime();
        String outcome = "ok";
        try {
            JsonNode body;
            try {
                body = JSON.readTree(ctx.body());
            } catch (JsonProcessingException e) {
                throw RenderFailure.invalid("body", "not valid JSON");
            }
            RenderResult page = pool.render(RenderRequest.parse(body, config));
            ObjectNode out = JSON.createObjectNode();
            out.put("status", page.status());
            out.put("finalUrl", page.finalUrl());
            out.put("html", page.html());
            if (page.truncated()) {
                out.put("truncated", true);
            }
            out.put("renderMs", page.renderMs());
            if (page.screenshot() != null) {
                out.put("screenshot", page.screenshot());
            }
            if (page.screenshotOmitted() != null) {
                out.put("screenshotOmitted", page.screenshotOmitted());
            }
            ctx.contentType("application/json").result(JSON.writeValueAsString(out));
        } catch (RenderFailure failure) {
            outcome = failure.code().wire();
            error(ctx, failure);
        } catch (JsonProcessingException e) {
            outcome = ErrorCode.NAVIGATION_FAILED.wire();
            error(ctx, new RenderFailure(ErrorCode.NAVIGATION_FAILED, "could not encode the page"));
        } finally {
            metrics.rendered(outcome, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private void health(Context ctx) {
        boolean up = pool.isUp();
        ctx.status(up ? 200 : 503)
                .contentType("application/json")
                .result(up ? "{\"status\":\"up\"}" : "{\"status\":\"down\"}");
    }

    private void error(Context ctx, RenderFailure failure) {
        ObjectNode error = JSON.createObjectNode();
        error.put("code", failure.code().wire());
        error.put("message", failure.getMessage());
        if (failure.code() == ErrorCode.VALIDATION_FAILED) {
            ObjectNode fields = error.putObject("fields");
            failure.fields().forEach(fields::put);
        }
        ObjectNode body = JSON.createObjectNode();
        body.set("error", error);
        if (failure.code() == ErrorCode.BUSY) {
            ctx.header("Retry-After", String.valueOf(pool.retryAfter().toSeconds()));
        }
        ctx.status(failure.code().httpStatus())
                .contentType("application/json")
                .result(body.toString());
    }

    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            pool.close();
            dnsExecutor.shutdownNow();
            registry.close();
        }
    }
}
