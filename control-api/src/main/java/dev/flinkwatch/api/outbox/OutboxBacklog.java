package dev.flinkwatch.api.outbox;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges for the unpublished part of the outbox: how many rows and how old the oldest is. Read from
 * the database (all instances share one outbox) at most once per {@link #MAX_STALENESS}, so
 * frequent scrapes cost one small index query.
 */
public final class OutboxBacklog {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxBacklog.class);
    private static final Duration MAX_STALENESS = Duration.ofSeconds(1);

    private final DataSource dataSource;
    private long readAtNanos;
    private boolean read;
    private double rows = Double.NaN;
    private double oldestAgeSeconds = Double.NaN;

    /** Registers the gauges; they hold this object strongly (Micrometer's default is weak). */
    public OutboxBacklog(DataSource dataSource, MeterRegistry registry) {
        this.dataSource = dataSource;
        Gauge.builder("flinkwatch.outbox.backlog", this, b -> b.refreshed().rows)
                .description("Outbox rows not yet published to Kafka")
                .strongReference(true)
                .register(registry);
        Gauge.builder(
                        "flinkwatch.outbox.oldest.age.seconds",
                        this,
                        b -> b.refreshed().oldestAgeSeconds)
                .description("Age of the oldest unpublished outbox row (0 when none)")
                .strongReference(true)
                .register(registry);
    }

    private synchronized OutboxBacklog refreshed() {
        long now = System.nanoTime();
        if (read && now - readAtNanos < MAX_STALENESS.toNanos()) {
            return this;
        }
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)"
                                        + " FROM outbox WHERE published_at IS NULL")) {
            rs.next();
            rows = rs.getLong(1);
            oldestAgeSeconds = rs.getDouble(2);
        } catch (SQLException e) {
            LOG.warn("event=outbox_backlog_unavailable error={}", e.toString());
            rows = Double.NaN;
            oldestAgeSeconds = Double.NaN;
        }
        read = true;
        readAtNanos = now;
        return this;
    }
}
