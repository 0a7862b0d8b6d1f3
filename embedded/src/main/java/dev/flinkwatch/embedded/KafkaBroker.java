package dev.flinkwatch.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker in KRaft mode (combined broker + controller, one node) running in a child JVM
 * from the kafka_2.13 jars on this JVM's classpath. Its log directory persists in {@code dataDir},
 * so a stopped broker restarts with its topics and offsets. The child exits when this JVM dies (it
 * watches its stdin pipe), so no broker outlives a crashed test or stack; its pid is kept in {@code
 * broker.pid}, so a start finds and stops a broker of the same directory that is somehow still
 * running.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

    /** Controlled shutdown of a one-node broker takes a second or two; then it is killed. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private static final Duration LEFTOVER_GRACE = Duration.ofSeconds(30);

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final String heap;
    private Process process;

    private KafkaBroker(Path dataDir, int port, int controllerPort, String heap) {
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.heap = heap;
    }

    /**
     * Formats the storage on first use and starts the broker, waiting until it answers.
     *
     * @param dataDir broker home: config, logs and the child's output
     * @param port client port on 127.0.0.1, or 0 for the port of the previous start in this
     *     directory (a free one the first time)
     * @param heap child JVM max heap, e.g. "512m"
     */
    public static KafkaBroker start(Path dataDir, int port, String heap) throws IOException {
        Path home = dataDir.toAbsolutePath();
        // A formatted KRaft log remembers its controller endpoint: a restarted broker keeps the
        // ports it was created with.
        int[] previous = previousPorts(home.resolve("server.properties"));
        int clientPort =
                port > 0 ? port : previous != null ? previous[0] : ServerProcesses.freePort();
        int controllerPort = previous != null ? previous[1] : ServerProcesses.freePort();
        KafkaBroker broker = new KafkaBroker(home, clientPort, controllerPort, heap);
        broker.start();
        return broker;
    }

    private static int[] previousPorts(Path config) throws IOException {
        if (!Files.exists(config)) {
            return null;
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        String listeners = p.getProperty("listeners", "");
        int client = -1;
        int controller = -1;
        for (String listener : listeners.split(",")) {
            int port = Integer.parseInt(listener.substring(listener.lastIndexOf(':') + 1));
            if (listener.startsWith("PLAINTEXT://")) {
                client = port;
            } else if (listener.startsWith("CONTROLLER://")) {
                controller = port;
            }
        }
        return client > 0 && controller > 0 ? new int[] {client, controller} : null;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** (Re)starts a stopped broker on the same port and data. */
    public synchronized void start() throws IOException {
        if (isRunning()) {
            return;
        }
        Files.createDirectories(dataDir);
        Path pidFile = dataDir.resolve("broker.pid");
        Path config = dataDir.resolve("server.properties");
        Optional<ProcessHandle> leftover = ServerProcesses.leftover(pidFile, config.toString());
        if (leftover.isPresent()) {
            ServerProcesses.stop(leftover.get(), "TERM", LEFTOVER_GRACE, "kafka " + dataDir);
        }
        for (int p : new int[] {port, controllerPort}) {
            if (ServerProcesses.portInUse(p)) {
                throw new IOException(
                        "Kafka broker port "
                                + p
                                + " (recorded in "
                                + config
                                + ") is already in use by another process: stop that process,"
                                + " or use a new data directory");
            }
        }
        writeConfig();
        Path logs = dataDir.resolve("logs");
        if (!Files.exists(logs.resolve("meta.properties"))) {
            runToCompletion(
                    List.of(
                            "kafka.tools.StorageTool",
                            "format",
                            "-t",
                            Uuid.randomUuid().toString(),
                            "-c",
                            config.toString(),
                            "--standalone"),
                    dataDir.resolve("format.out"));
        }
        List<String> command = javaCommand();
        command.add(KafkaBrokerMain.class.getName());
        command.add(config.toString());
        process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(dataDir.resolve("broker.out").toFile())
                        .start();
        Files.writeString(pidFile, process.pid() + "\n", StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!answers()) {
            if (!process.isAlive()) {
                throw new IOException(
                        "Kafka broker exited with "
                                + process.exitValue()
                                + "; see "
                                + dataDir.resolve("broker.out"));
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IOException("Kafka broker did not answer within 90 s");
            }
            sleep(200);
        }
        LOG.info("event=kafka_started bootstrap={} dir={}", bootstrapServers(), dataDir);
    }

    /** Stops the broker (SIGTERM, controlled shutdown), killing it if it takes over 5 s. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
        try {
            Files.deleteIfExists(dataDir.resolve("broker.pid"));
        } catch (IOException e) {
            LOG.warn("event=kafka_pid_file_not_removed reason={}", e.toString());
        }
        LOG.info("event=kafka_stopped bootstrap={}", bootstrapServers());
    }

    @Override
    public void close() {
        stop();
    }

    private boolean answers() {
        Map<String, Object> conf =
                Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        try (Admin admin = Admin.create(conf)) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    private Path writeConfig() throws IOException {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.setProperty(
                "listeners",
                "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.setProperty("log.dirs", dataDir.resolve("logs").toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "4");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // Flink's exactly-once sink keeps transactions open for a checkpoint interval or more.
        p.setProperty("transaction.max.timeout.ms", "3600000");
        p.setProperty("auto.create.topics.enable", "true");
        // Compaction runs promptly, so compacted-topic behaviour is observable locally.
        p.setProperty("log.cleaner.backoff.ms", "1000");
        p.setProperty("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
        Path config = dataDir.resolve("server.properties");
        try (var out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            p.store(out, "generated by KafkaBroker");
        }
        Path log4j = dataDir.resolve("log4j2.properties");
        Files.writeString(
                log4j,
                String.join(
                        "\n",
                        "rootLogger.level = WARN",
                        "rootLogger.appenderRef.out.ref = out",
                        "appender.out.type = Console",
                        "appender.out.name = out",
                        "appender.out.layout.type = PatternLayout",
                        "appender.out.layout.pattern = %d %p %c{1} %m%n",
                        "logger.kafka.name = kafka.server.KafkaRaftServer",
                        "logger.kafka.level = INFO",
                        ""));
        return config;
    }

    private List<String> javaCommand() {
        List<String> command = new ArrayList<>();
        // Its own session: Ctrl-C in a terminal reaches only our JVM, which stops the broker in
        // order (after the services that use it).
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.add("-Xms64m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Djava.awt.headless=true");
        command.add("-Dlog4j2.configurationFile=" + dataDir.resolve("log4j2.properties"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        return command;
    }

    private void runToCompletion(List<String> args, Path output) throws IOException {
        List<String> command = javaCommand();
        command.addAll(args);
        Process p =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(
                        "Kafka storage format failed: " + Files.readString(output).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while formatting Kafka storage", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
