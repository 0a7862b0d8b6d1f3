package dev.flinkwatch.api.http;

import io.javalin.http.Context;
import io.javalin.http.RequestLogger;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line and one timer sample per request: method, route template, status, latency and
 * tenant. Never headers, keys or bodies. Requests that matched no route share the route label
 * {@value #UNMATCHED}, so random paths cannot create unbounded metric series.
 */
public final class RequestObserver implements RequestLogger {
    public static final String ROUTE_ATTRIBUTE = "flinkwatch.route";
    public static final String TENANT_ATTRIBUTE = "flinkwatch.tenant";
    public static final String UNMATCHED = "unmatched";

    private static final Logger LOG = LoggerFactory.getLogger(RequestObserver.class);

    private final MeterRegistry registry;

    public RequestObserver(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handle(Context ctx, Float executionTimeMs) {
        String route = ctx.attribute(ROUTE_ATTRIBUTE);
        if (route == null) {
            route = UNMATCHED;
        }
        String method = ctx.method().name();
        int status = ctx.statusCode();
        UUID tenant = ctx.attribute(TENANT_ATTRIBUTE);
        Timer.builder("http.server.requests")
                .description("HTTP requests by route template and status")
                .tag("method", method)
                .tag("route", route)
                .tag("status", Integer.toString(status))
                .publishPercentileHistogram()
                .register(registry)
                .record((long) (executionTimeMs * 1_000_000.0), TimeUnit.NANOSECONDS);
        LOG.info(
                "event=http_request method={} route={} status={} latency_ms={} tenant={}",
                method,
                route,
                status,
                String.format(Locale.ROOT, "%.2f", executionTimeMs),
                tenant == null ? "-" : tenant);
    }
}
