package dev.flinkwatch.browser;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The service's meters (Prometheus names): {@code browser_renders_total{outcome}}, {@code
 * browser_render_seconds}, {@code browser_renders_in_flight}, {@code browser_render_queue_length},
 * {@code browser_blocked_requests_total{reason}}, {@code browser_restarts_total{reason}}.
 */
final class BrowserMetrics {
    private final MeterRegistry registry;
    private final Timer latency;

    BrowserMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.latency =
                Timer.builder("browser.render")
                        .description("Time of renders that produced a page")
                        .publishPercentileHistogram()
                        .register(registry);
    }

    void gauges(Supplier<Number> inFlight, Supplier<Number> queued) {
        Gauge.builder("browser.renders.in.flight", inFlight)
                .description("Renders holding a browser slot")
                .register(registry);
        Gauge.builder("browser.render.queue.length", queued)
                .description("Renders waiting for a browser slot")
                .register(registry);
    }

    /** One finished render: "ok" or an error code's wire name. */
    void rendered(String outcome, Duration took) {
        Counter.builder("browser.renders")
                .description("Renders by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
        if (outcome.equals("ok")) {
            latency.record(took);
        }
    }

    /** A request of a page refused: "ssrf" (the address guard) or "websocket". */
    void blocked(String reason) {
        Counter.builder("browser.blocked.requests")
                .description("Requests of pages refused by the SSRF guard")
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    /**
     * A browser replaced: "crashed" (it died), "watchdog" (killed after a hung render) or "dirty"
     * (Playwright lost track of a context).
     */
    void restarted(String reason) {
        Counter.builder("browser.restarts")
                .description("Browser processes replaced")
                .tag("reason", reason)
                .register(registry)
                .increment();
    }
}
