package dev.flinkwatch.bench.delivery;

import com.sun.net.httpserver.HttpServer;
import dev.flinkwatch.delivery.ChannelSettings;
import dev.flinkwatch.delivery.ChannelStore;
import dev.flinkwatch.delivery.ChannelType;
import dev.flinkwatch.delivery.DeliveryConfig;
import dev.flinkwatch.delivery.DeliveryService;
import dev.flinkwatch.delivery.RetryPolicy;
import dev.flinkwatch.delivery.SecretBox;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.testing.TestKafka;
import dev.flinkwatch.testing.TestPostgres;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Deliveries per second from the committed alerts topic to fast local receivers (JDK HTTP servers
 * on loopback answering 200 at once), then the same load with 10% of the receivers hanging (never
 * answering), in one run: the second rate counts deliveries to the healthy receivers only, and the
 * ratio shows how much a hanging receiver costs everyone else. Real PostgreSQL and Kafka; the
 * signing, encryption and SSRF check of every attempt included.
 *
 * <p>Run: {@code bench/run.sh dev.flinkwatch.bench.delivery.DeliveryBenchmark}; system properties
 * {@code bench.alerts} (5000), {@code bench.receivers} (20), {@code bench.results}.
 */
public final class DeliveryBenchmark {
    private DeliveryBenchmark() {}

    public static void main(String[] args) throws Exception {
        Configurator.setLevel("dev.flinkwatch.delivery", Level.WARN);
        int alerts = Integer.getInteger("bench.alerts", 5000);
        int receivers = Integer.getInteger("bench.receivers", 20);
        String results = System.getProperty("bench.results", "bench/results/delivery.txt");
        CountDownLatch never = new CountDownLatch(1);
        List<HttpServer> servers = new ArrayList<>();
        ExecutorService pool = Executors.newCachedThreadPool();
        AtomicLong received = new AtomicLong();
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < receivers; i++) {
            boolean hangs = i < receivers / 10;
            HttpServer server =
                    HttpServer.create(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(pool);
            server.createContext(
                    "/",
                    exchange -> {
                        exchange.getRequestBody().readAllBytes();
                        if (hangs && "hang".equals(exchange.getRequestURI().getQuery())) {
                            awaitQuietly(never);
                        }
                        received.incrementAndGet();
                        exchange.sendResponseHeaders(200, -1);
                        exchange.close();
                    });
            server.start();
            servers.add(server);
            urls.add("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
        }
        try {
            run(urls, Math.min(alerts, 2000), 0); // warm-up (JIT, connections), not reported
            Result fast = run(urls, alerts, 0);
            Result hanging = run(urls, alerts, receivers / 10);
            // Fast again: later runs profit from a warmer JVM, so the ratio uses the mean of both.
            Result fastAgain = run(urls, alerts, 0);
            double fastRate =
                    (fast.delivered / fast.seconds + fastAgain.delivered / fastAgain.seconds) / 2;
            String report =
                    String.format(
                            "DeliveryBenchmark %s: %d alerts over %d receivers (after a warm-up run), max-in-flight 512,"
                                    + " 4 per receiver, request timeout 2 s; clock from the first queued row%n"
                                    + "all receivers fast:      %d deliveries in %.2f s = %.0f"
                                    + " deliveries/s%n"
                                    + "all receivers fast again: %d deliveries in %.2f s = %.0f"
                                    + " deliveries/s%n"
                                    + "10%% hanging (%d of %d):   %d deliveries to healthy receivers"
                                    + " in %.2f s = %.0f deliveries/s (%d to hanging receivers"
                                    + " still retrying)%n"
                                    + "ratio hanging / mean of the fast runs: %.2f%n",
                            Instant.now(),
                            alerts,
                            receivers,
                            fast.delivered,
                            fast.seconds,
                            fast.delivered / fast.seconds,
                            fastAgain.delivered,
                            fastAgain.seconds,
                            fastAgain.delivered / fastAgain.seconds,
                            receivers / 10,
                            receivers,
                            hanging.delivered,
                            hanging.seconds,
                            hanging.delivered / hanging.seconds,
                            alerts - hanging.delivered,
                            (hanging.delivered / hanging.seconds)
                                    / (fast.delivered / fast.seconds));
            System.out.print(report);
            Files.createDirectories(Path.of(results).getParent());
            Files.writeString(Path.of(results), report);
        } finally {
            never.countDown();
            servers.forEach(s -> s.stop(0));
            pool.shutdownNow();
        }
        System.exit(0);
    }

    private record Result(long delivered, double seconds) {}

    /**
     * Queues {@code alerts} alerts round-robin over the receivers; the first {@code hangingCount}
     * receivers hang (their URL asks for it). Measures from the service start until every alert of
     * a healthy receiver is delivered.
     */
    private static Result run(List<String> urls, int alerts, int hangingCount) throws Exception {
        DataSource db = TestPostgres.newMigratedDatabase().dataSource();
        String topic = TestKafka.uniqueTopic("alerts-bench");
        TestKafka.createTopic(topic, 4, false);
        UUID tenant = UUID.randomUUID();
        String keyset = SecretBox.generateKeysetJson();
        ChannelStore channels = new ChannelStore(db, SecretBox.fromKeysetJson(keyset));
        List<UUID> monitors = new ArrayList<>();
        try (Connection c = db.getConnection()) {
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO tenants (id, name) VALUES (?, 'bench')")) {
                ps.setObject(1, tenant);
                ps.executeUpdate();
            }
            for (int i = 0; i < urls.size(); i++) {
                UUID id = UUID.randomUUID();
                String url = urls.get(i) + (i < hangingCount ? "?hang" : "");
                // A webhook channel per receiver, as the API stores them (encrypted settings).
                UUID channel =
                        channels.create(
                                        tenant,
                                        new ChannelStore.Draft(
                                                "bench " + i,
                                                ChannelType.WEBHOOK,
                                                ChannelSettings.ofUrl(url),
                                                null,
                                                true))
                                .id();
                try (PreparedStatement ps =
                        c.prepareStatement(
                                "INSERT INTO monitors (id, tenant_id, version, name, status,"
                                        + " interval_seconds, spec) VALUES (?, ?, 1, 'bench',"
                                        + " 'active', 60, jsonb_build_object('notify',"
                                        + " jsonb_build_object('channels',"
                                        + " jsonb_build_array(?::text))))")) {
                    ps.setObject(1, id);
                    ps.setObject(2, tenant);
                    ps.setString(3, channel.toString());
                    ps.executeUpdate();
                }
                monitors.add(id);
            }
        }
        Properties p = TestKafka.producerProperties();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-" + UUID.randomUUID());
        long healthy = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < alerts; i++) {
                int r = i % monitors.size();
                healthy += r < hangingCount ? 0 : 1;
                UUID monitor = monitors.get(r);
                Alert alert =
                        new Alert(
                                Alert.idFor(AlertKind.CONDITION_MET, monitor, "https://x/", "" + i),
                                AlertKind.CONDITION_MET,
                                monitor,
                                tenant,
                                "https://x/",
                                Instant.now(),
                                "bench",
                                "excerpt " + i,
                                "- a\n+ b");
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                monitor.toString().getBytes(StandardCharsets.UTF_8),
                                ModelCodec.encode(alert)));
            }
            producer.commitTransaction();
        }
        DeliveryConfig config =
                new DeliveryConfig(
                        TestKafka.bootstrapServers(),
                        topic,
                        "bench-" + UUID.randomUUID(),
                        keyset,
                        new RetryPolicy(
                                Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofMinutes(1)),
                        Duration.ofSeconds(2),
                        512,
                        4,
                        Duration.ofMillis(100),
                        List.of("127.0.0.1/32"),
                        "http://127.0.0.1:8080");
        try (DeliveryService service = DeliveryService.start(config, db)) {
            // The clock starts at the first queued row: the consumer group's join is not delivery.
            while (queued(db) == 0) {
                Thread.sleep(5);
            }
            long start = System.nanoTime();
            while (delivered(db) < healthy) {
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Result(delivered(db), seconds);
        }
    }

    private static long queued(DataSource db) throws Exception {
        try (Connection c = db.getConnection();
                ResultSet rs =
                        c.createStatement().executeQuery("SELECT count(*) FROM deliveries")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long delivered(DataSource db) throws Exception {
        try (Connection c = db.getConnection();
                ResultSet rs =
                        c.createStatement()
                                .executeQuery(
                                        "SELECT count(*) FROM deliveries WHERE status ="
                                                + " 'delivered'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
