package dev.flinkwatch.api.monitors;

import dev.flinkwatch.api.ControlApiConfig;
import dev.flinkwatch.api.db.Jdbc;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes soft-deleted monitors for good once they have been deleted for the retention period: the
 * monitor row, with it (foreign keys, ON DELETE CASCADE) its status, checks and alerts, and its
 * deliveries and outbox rows. It also drops check screenshots past their retention (older than
 * their maximum age, or beyond the newest few of their monitor); the checks themselves stay. A
 * monitor is purged only when none of its outbox rows is pending, so its delete event and tombstone
 * are on the topic first.
 *
 * <p>Runs on its own thread every {@code interval}, in transactions of at most {@code batchSize}
 * monitors, each taken with {@code FOR UPDATE SKIP LOCKED} (several API instances may purge at
 * once). Requests never wait for it; it holds one pooled connection while it runs.
 */
public final class DeletedMonitorPurge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeletedMonitorPurge.class);

    /**
     * @param retention how long a deleted monitor is kept
     * @param interval the pause between two runs
     * @param batchSize monitors (or screenshots) per transaction
     * @param screenshots how long and how many screenshots per monitor are kept
     */
    public record Settings(
            Duration retention,
            Duration interval,
            int batchSize,
            ControlApiConfig.ScreenshotRetention screenshots) {}

    private final DataSource dataSource;
    private final Settings settings;
    private final Counter purged;
    private final Counter screenshotsDropped;
    private final Counter runs;
    private final Counter failedRuns;
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread t = new Thread(r, "monitor-purge");
                        t.setDaemon(true);
                        return t;
                    });
    private volatile boolean closed;

    public DeletedMonitorPurge(DataSource dataSource, Settings settings, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.purged =
                Counter.builder("flinkwatch.monitors.purged")
                        .description("Deleted monitors removed after the retention period")
                        .register(registry);
        this.screenshotsDropped =
                Counter.builder("flinkwatch.screenshots.purged")
                        .description("Check screenshots dropped after their retention")
                        .register(registry);
        this.runs =
                Counter.builder("flinkwatch.monitors.purge.runs")
                        .description("Completed runs of the purge of deleted monitors")
                        .register(registry);
        this.failedRuns =
                Counter.builder("flinkwatch.monitors.purge.failed.runs")
                        .description("Runs of the purge that failed (retried at the next run)")
                        .register(registry);
    }

    public void start() {
        long every = settings.interval().toMillis();
        scheduler.scheduleWithFixedDelay(this::run, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            int batch;
            do {
                batch = purgeBatch();
            } while (batch == settings.batchSize() && !closed);
            do {
                batch = Jdbc.inTransaction(dataSource, this::dropScreenshots);
                screenshotsDropped.increment(batch);
            } while (batch == settings.batchSize() && !closed);
            runs.increment();
        } catch (SQLException | RuntimeException e) {
            // The next run retries; nothing was half-deleted (one transaction per batch).
            failedRuns.increment();
            LOG.warn("event=monitor_purge_failed error={}", e.toString());
        }
    }

    /**
     * Drops one batch of screenshots past their retention: older than the maximum age, or not among
     * the newest of their monitor. Returns how many.
     */
    private int dropScreenshots(Connection c) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "WITH ranked AS (SELECT id, finished_at, row_number() OVER"
                                + " (PARTITION BY monitor_id ORDER BY finished_at DESC, id DESC)"
                                + " AS n FROM check_runs WHERE screenshot IS NOT NULL),"
                                + " doomed AS (SELECT id FROM ranked"
                                + " WHERE n > ? OR finished_at < now() - ?::interval LIMIT ?)"
                                + " UPDATE check_runs c SET screenshot = NULL FROM doomed d"
                                + " WHERE c.id = d.id")) {
            ps.setInt(1, settings.screenshots().perMonitor());
            ps.setString(2, settings.screenshots().maxAge().toMillis() + " milliseconds");
            ps.setInt(3, settings.batchSize());
            return ps.executeUpdate();
        }
    }

    /** One purged monitor. */
    private record Purged(UUID monitorId, UUID tenantId) {}

    /** Purges one batch; returns how many monitors it removed. */
    private int purgeBatch() throws SQLException {
        List<Purged> batch = Jdbc.inTransaction(dataSource, this::deleteBatch);
        for (Purged p : batch) {
            LOG.info("event=monitor_purged monitor={} tenant={}", p.monitorId(), p.tenantId());
        }
        purged.increment(batch.size());
        return batch.size();
    }

    private List<Purged> deleteBatch(Connection c) throws SQLException {
        List<Purged> batch = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "WITH doomed AS (SELECT m.id FROM monitors m"
                                + " WHERE m.deleted_at < now() - ?::interval"
                                + " AND NOT EXISTS (SELECT 1 FROM outbox o"
                                + " WHERE o.monitor_id = m.id AND o.published_at IS NULL)"
                                + " ORDER BY m.deleted_at LIMIT ? FOR UPDATE SKIP LOCKED)"
                                + " DELETE FROM monitors m USING doomed d"
                                + " WHERE m.id = d.id RETURNING m.id, m.tenant_id")) {
            ps.setString(1, settings.retention().toMillis() + " milliseconds");
            ps.setInt(2, settings.batchSize());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    batch.add(new Purged(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)));
                }
            }
        }
        if (batch.isEmpty()) {
            return batch;
        }
        Array monitors = c.createArrayOf("uuid", batch.stream().map(Purged::monitorId).toArray());
        Array tenants =
                c.createArrayOf("uuid", batch.stream().map(Purged::tenantId).distinct().toArray());
        // No foreign keys to monitors here (a delivery may precede its alert row; outbox rows are
        // a log), but both hold the tenant's content, so they go too. The tenant condition lets
        // the deliveries delete use its tenant index.
        try (PreparedStatement ps =
                c.prepareStatement(
                        "DELETE FROM deliveries WHERE tenant_id = ANY(?) AND monitor_id = ANY(?)")) {
            ps.setArray(1, tenants);
            ps.setArray(2, monitors);
            ps.executeUpdate();
        }
        try (PreparedStatement ps =
                c.prepareStatement("DELETE FROM outbox WHERE monitor_id = ANY(?)")) {
            ps.setArray(1, monitors);
            ps.executeUpdate();
        }
        return batch;
    }
}
