package dev.flinkwatch.api.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes outbox rows to the monitors topic (key = monitor id) and marks them published.
 *
 * <p>Each round locks a batch of pending rows with {@code FOR UPDATE SKIP LOCKED} (so several API
 * instances can relay at once) and sends, per monitor, only its oldest pending row, and only when
 * no older row of that monitor is pending elsewhere (locked by another instance). A monitor's next
 * version is therefore sent only after the previous one was acknowledged and marked: a failure can
 * cause a re-send of the same version (at-least-once; consumers ignore versions they have) but
 * never lets a newer version overtake an older one. Writers supersede a monitor's older pending
 * rows ({@link Outbox}), so a round's window holds about one row per changed monitor and one
 * monitor's churn cannot crowd out other tenants' events. A delete is sent as the delete event
 * followed by a tombstone, so compaction eventually removes the key. While Kafka is down, rounds
 * fail and are retried with exponential backoff; the API keeps accepting writes into the outbox.
 */
public final class OutboxRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final Duration INITIAL_BACKOFF = Duration.ofMillis(200);
    private static final Duration PURGE_EVERY = Duration.ofHours(1);
    private static final int MAX_ERROR_LENGTH = 500;

    /**
     * How the relay runs.
     *
     * @param topic the monitors topic
     * @param batchSize rows locked per round
     * @param pollInterval how long an idle relay waits before looking again (writes on this
     *     instance wake it at once)
     * @param maxBackoff the longest wait between failed rounds
     * @param retention how long published rows are kept before they are purged
     */
    public record Settings(
            String topic,
            int batchSize,
            Duration pollInterval,
            Duration maxBackoff,
            Duration retention) {}

    private final DataSource dataSource;
    private final Supplier<Producer<byte[], byte[]>> producerFactory;
    private final Settings settings;
    private final Counter published;
    private final Counter failedRounds;
    private final Thread thread;
    private final Object signal = new Object();
    private boolean wakeRequested;
    private volatile boolean running = true;
    private Producer<byte[], byte[]> producer;
    private Instant nextPurge = Instant.EPOCH;

    public OutboxRelay(
            DataSource dataSource,
            Supplier<Producer<byte[], byte[]>> producerFactory,
            Settings settings,
            MeterRegistry registry) {
        this.dataSource = dataSource;
        this.producerFactory = producerFactory;
        this.settings = settings;
        this.published =
                Counter.builder("flinkwatch.outbox.published")
                        .description("Outbox rows published to Kafka")
                        .register(registry);
        this.failedRounds =
                Counter.builder("flinkwatch.outbox.failed.rounds")
                        .description("Relay rounds that failed and were retried after a backoff")
                        .register(registry);
        this.thread = new Thread(this::run, "outbox-relay");
        this.thread.setDaemon(true);
    }

    /** An idempotent, ordered producer for the monitors topic. */
    public static Supplier<Producer<byte[], byte[]>> kafkaProducers(String bootstrapServers) {
        return () -> {
            Map<String, Object> config = new HashMap<>();
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            config.put(ProducerConfig.CLIENT_ID_CONFIG, "flinkwatch-outbox-relay");
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
            config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            // Bounded waits: a round with Kafka down ends within these, then backs off.
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
            config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            return new KafkaProducer<>(config);
        };
    }

    public void start() {
        thread.start();
    }

    /**
     * Readiness probe: the relay thread is running. Kafka outages do not count here (the relay
     * keeps retrying; the embedder's Kafka check reports them), a dead relay thread does.
     */
    public void verifyRunning() {
        if (!running || !thread.isAlive()) {
            throw new IllegalStateException("outbox relay is not running");
        }
    }

    /** Asks for a round now (after a write on this instance committed). */
    public void wakeUp() {
        synchronized (signal) {
            wakeRequested = true;
            signal.notifyAll();
        }
    }

    @Override
    public void close() {
        running = false;
        wakeUp();
        try {
            thread.join(Duration.ofSeconds(60).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeProducer();
    }

    private void run() {
        Duration backoff = INITIAL_BACKOFF;
        while (running) {
            try {
                boolean moreWork = relayOnce();
                backoff = INITIAL_BACKOFF;
                purgeIfDue();
                if (!moreWork) {
                    awaitWakeUp(settings.pollInterval());
                }
            } catch (Exception e) {
                failedRounds.increment();
                LOG.warn(
                        "event=outbox_relay_failed retry_in_ms={} error={}",
                        backoff.toMillis(),
                        describe(e));
                closeProducer();
                sleepUnlessClosed(backoff);
                backoff = backoff.multipliedBy(2);
                if (backoff.compareTo(settings.maxBackoff()) > 0) {
                    backoff = settings.maxBackoff();
                }
            }
        }
    }

    /** One locked row. */
    private record Row(long id, UUID monitorId, boolean delete, byte[] payload) {}

    /** A row handed to the producer: its event and, for deletes, the tombstone after it. */
    private record Sent(Row row, Future<RecordMetadata> event, Future<RecordMetadata> tombstone) {}

    /**
     * Relays one batch.
     *
     * @return true when there is probably more to send right away
     * @throws RelayFailure after marking the batch, when some rows could not be sent
     */
    private boolean relayOnce() throws SQLException {
        List<Row> locked;
        List<Row> due;
        List<Long> ok = new ArrayList<>();
        Map<Long, String> failed = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                locked = lockPending(c);
                due = oldestPerMonitor(c, locked);
                publish(due, ok, failed);
                mark(c, ok, failed);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        }
        published.increment(ok.size());
        if (!failed.isEmpty()) {
            throw new RelayFailure(
                    failed.size()
                            + " of "
                            + due.size()
                            + " rows not published: "
                            + failed.values().iterator().next());
        }
        return !ok.isEmpty()
                && (locked.size() > ok.size() || locked.size() == settings.batchSize());
    }

    private List<Row> lockPending(Connection c) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT id, monitor_id, event_type, payload FROM outbox"
                                + " WHERE published_at IS NULL ORDER BY id LIMIT ?"
                                + " FOR UPDATE SKIP LOCKED")) {
            ps.setInt(1, settings.batchSize());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(
                            new Row(
                                    rs.getLong("id"),
                                    rs.getObject("monitor_id", UUID.class),
                                    "delete".equals(rs.getString("event_type")),
                                    rs.getBytes("payload")));
                }
            }
        }
        return rows;
    }

    /**
     * Each monitor's first locked row, if it is that monitor's oldest pending row overall (an older
     * one not in this batch is being relayed by another instance; its successors wait).
     */
    private static List<Row> oldestPerMonitor(Connection c, List<Row> locked) throws SQLException {
        Map<UUID, Row> first = new LinkedHashMap<>();
        for (Row row : locked) {
            first.putIfAbsent(row.monitorId(), row);
        }
        if (first.isEmpty()) {
            return List.of();
        }
        Map<UUID, Long> oldestPending = new HashMap<>();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT monitor_id, min(id) FROM outbox"
                                + " WHERE published_at IS NULL AND monitor_id = ANY(?)"
                                + " GROUP BY monitor_id")) {
            Array ids = c.createArrayOf("uuid", first.keySet().toArray());
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    oldestPending.put(rs.getObject(1, UUID.class), rs.getLong(2));
                }
            }
        }
        return first.values().stream()
                .filter(row -> oldestPending.getOrDefault(row.monitorId(), row.id()) == row.id())
                .toList();
    }

    private void publish(List<Row> due, List<Long> ok, Map<Long, String> failed) {
        if (due.isEmpty()) {
            return;
        }
        Producer<byte[], byte[]> p = producer();
        List<Sent> sent = new ArrayList<>();
        for (Row row : due) {
            Sent s;
            try {
                byte[] key = row.monitorId().toString().getBytes(StandardCharsets.UTF_8);
                Future<RecordMetadata> event =
                        p.send(new ProducerRecord<>(settings.topic(), key, row.payload()));
                Future<RecordMetadata> tombstone =
                        row.delete()
                                ? p.send(new ProducerRecord<>(settings.topic(), key, null))
                                : null;
                s = new Sent(row, event, tombstone);
            } catch (KafkaException e) {
                failed.put(row.id(), describe(e));
                break;
            }
            sent.add(s);
            // A send that failed at once (no metadata within max.block.ms) means Kafka is
            // unreachable: stop here rather than wait that long again for every row.
            if (failedAlready(s.event())) {
                break;
            }
        }
        try {
            p.flush();
        } catch (KafkaException e) {
            // the futures below carry each record's outcome
        }
        for (Sent s : sent) {
            String error = outcome(s.event());
            if (error == null && s.tombstone() != null) {
                error = outcome(s.tombstone());
            }
            if (error == null) {
                ok.add(s.row().id());
            } else {
                failed.put(s.row().id(), error);
            }
        }
    }

    private static boolean failedAlready(Future<RecordMetadata> f) {
        return f.isDone() && outcome(f) != null;
    }

    /** Null when the record was acknowledged, else why not. */
    private static String outcome(Future<RecordMetadata> f) {
        try {
            f.get();
            return null;
        } catch (ExecutionException e) {
            return describe(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static void mark(Connection c, List<Long> ok, Map<Long, String> failed)
            throws SQLException {
        if (!ok.isEmpty()) {
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "UPDATE outbox SET published_at = now(), attempts = attempts + 1,"
                                    + " last_error = NULL WHERE id = ANY(?)")) {
                ps.setArray(1, c.createArrayOf("bigint", ok.toArray()));
                ps.executeUpdate();
            }
        }
        if (!failed.isEmpty()) {
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "UPDATE outbox SET attempts = attempts + 1, last_error = ?"
                                    + " WHERE id = ?")) {
                for (Map.Entry<Long, String> f : failed.entrySet()) {
                    ps.setString(1, f.getValue());
                    ps.setLong(2, f.getKey());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    private void purgeIfDue() throws SQLException {
        Instant now = Instant.now();
        if (now.isBefore(nextPurge)) {
            return;
        }
        nextPurge = now.plus(PURGE_EVERY);
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "DELETE FROM outbox WHERE published_at < now() - ?::interval")) {
            ps.setString(1, settings.retention().toSeconds() + " seconds");
            int purged = ps.executeUpdate();
            if (purged > 0) {
                LOG.info("event=outbox_purged rows={}", purged);
            }
        }
    }

    private Producer<byte[], byte[]> producer() {
        if (producer == null) {
            producer = producerFactory.get();
        }
        return producer;
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("event=outbox_producer_close_failed error={}", describe(e));
            }
            producer = null;
        }
    }

    private void awaitWakeUp(Duration timeout) throws InterruptedException {
        synchronized (signal) {
            if (!wakeRequested && running) {
                signal.wait(Math.max(1, timeout.toMillis()));
            }
            wakeRequested = false;
        }
    }

    /** Waits out a backoff; wake-ups from writes do not shorten it, closing does. */
    private void sleepUnlessClosed(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        synchronized (signal) {
            long left;
            while (running && (left = deadline - System.nanoTime()) > 0) {
                try {
                    signal.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static String describe(Throwable e) {
        String text = e.getClass().getSimpleName() + ": " + e.getMessage();
        return text.length() > MAX_ERROR_LENGTH ? text.substring(0, MAX_ERROR_LENGTH) : text;
    }

    /** Some rows of a round were not published; they stay pending and are retried. */
    static final class RelayFailure extends RuntimeException {
        RelayFailure(String message) {
            super(message);
        }
    }
}
