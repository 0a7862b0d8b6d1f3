package dev.flinkwatch.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server from the binaries on the classpath (no installation). With a data
 * directory it persists across restarts; PostgreSQL's refusal to run as root is handled by the
 * library.
 *
 * <p>The postmaster runs in its own session (pg_ctl puts it there), so it would outlive a killed
 * JVM: a watchdog stops it when this JVM disappears, and a start on a data directory whose server
 * is still running from a crashed run stops that server first (its postmaster.pid names it).
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    public static final String SUPERUSER = "postgres";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    /** Fast shutdown: rolls back open transactions instead of waiting for clients. */
    private static final String STOP_SIGNAL = "INT";

    private static final Duration LEFTOVER_GRACE = Duration.ofSeconds(30);

    private final EmbeddedPostgres postgres;
    private final Path dataDir;
    private final Process watchdog;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDir, Process watchdog) {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.watchdog = watchdog;
    }

    /**
     * Starts PostgreSQL.
     *
     * @param dataDir where the cluster lives; kept between starts
     * @param port TCP port on 127.0.0.1, or 0 for a free one
     */
    public static EmbeddedPostgresServer start(Path dataDir, int port) throws IOException {
        dataDir = dataDir.toAbsolutePath().normalize();
        Files.createDirectories(dataDir);
        Path pidFile = dataDir.resolve("postmaster.pid");
        // the caller owns the data directory (the local stack holds its lock), so a live server
        // on it is a leftover of a crashed run: stop it cleanly, then start as usual
        Optional<ProcessHandle> leftover = ServerProcesses.leftover(pidFile, dataDir.toString());
        if (leftover.isPresent()) {
            ServerProcesses.stop(
                    leftover.get(), STOP_SIGNAL, LEFTOVER_GRACE, "postgres " + dataDir);
        }
        EmbeddedPostgres.Builder builder =
                EmbeddedPostgres.builder()
                        .setDataDirectory(dataDir)
                        .setCleanDataDirectory(false)
                        // the owner stops it, in order: a JVM-wide hook would stop PostgreSQL
                        // while the services that use it are still shutting down
                        .setRegisterShutdownHook(false)
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        .setServerConfig("max_connections", "200")
                        .setServerConfig("fsync", "on");
        if (port > 0) {
            builder.setPort(port);
        }
        EmbeddedPostgres started = builder.start();
        Optional<Long> pid = ServerProcesses.readPid(pidFile);
        Process watchdog =
                pid.isPresent()
                        ? ServerProcesses.watchdog(pid.get(), STOP_SIGNAL, dataDir.toString())
                        : null;
        LOG.info(
                "event=postgres_started port={} pid={} dir={}",
                started.getPort(),
                pid.map(String::valueOf).orElse("unknown"),
                dataDir);
        return new EmbeddedPostgresServer(started, dataDir, watchdog);
    }

    /** The postmaster's pid, from its pid file (for supervision and tests). */
    public Optional<Long> pid() {
        return ServerProcesses.readPid(dataDir.resolve("postmaster.pid"));
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    public DataSource dataSource(String database) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(jdbcUrl(database));
        ds.setUser(SUPERUSER);
        return ds;
    }

    /** Creates a database if it does not exist yet. */
    public void createDatabaseIfMissing(String database) throws SQLException {
        if (!database.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("not a plain database name: " + database);
        }
        try (Connection c = dataSource("postgres").getConnection();
                Statement s = c.createStatement();
                var rs =
                        s.executeQuery(
                                "SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
            if (!rs.next()) {
                s.execute("CREATE DATABASE " + database);
            }
        }
    }

    @Override
    public void close() throws IOException {
        ServerProcesses.disarm(watchdog);
        postgres.close();
    }
}
