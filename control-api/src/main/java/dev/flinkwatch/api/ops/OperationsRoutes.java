package dev.flinkwatch.api.ops;

import dev.flinkwatch.api.http.Access;
import dev.flinkwatch.api.http.Caller;
import dev.flinkwatch.api.http.Json;
import dev.flinkwatch.api.http.Route;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Liveness, readiness (details for the operator), Prometheus metrics and the OpenAPI document. */
public final class OperationsRoutes {
    /** The OpenAPI 3 document of the contract, a classpath resource. */
    public static final String OPENAPI_RESOURCE = "/dev/flinkwatch/api/openapi.json";

    private final Readiness readiness;
    private final PrometheusMeterRegistry metrics;
    private final byte[] openApi;

    public OperationsRoutes(Readiness readiness, PrometheusMeterRegistry metrics) {
        this.readiness = readiness;
        this.metrics = metrics;
        this.openApi = openApiDocument();
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/healthz", Access.PUBLIC, (ctx, caller) -> healthz(ctx)),
                Route.get("/readyz", Access.PUBLIC_OR_ADMIN, this::readyz),
                Route.get("/metrics", Access.PUBLIC, (ctx, caller) -> metrics(ctx)),
                Route.get(
                        "/openapi.json",
                        Access.PUBLIC,
                        (ctx, caller) -> ctx.contentType(Json.CONTENT_TYPE).result(openApi)));
    }

    private static void healthz(Context ctx) {
        Json.respond(ctx, 200, Map.of("status", "alive"));
    }

    /**
     * 200/503 with the status for everyone; the per-check reasons only for the operator: they can
     * carry exception text and internal addresses.
     */
    private void readyz(Context ctx, Caller caller) {
        Readiness.Report report = readiness.evaluate();
        String status = report.ready() ? "ready" : "not_ready";
        Json.respond(
                ctx,
                report.ready() ? 200 : 503,
                caller.admin()
                        ? Map.of("status", status, "checks", report.checks())
                        : Map.of("status", status));
    }

    private void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }

    public static byte[] openApiDocument() {
        try (InputStream in = OperationsRoutes.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + OPENAPI_RESOURCE);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
