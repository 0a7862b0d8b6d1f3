package dev.flinkwatch.testing;

import dev.flinkwatch.embedded.EmbeddedPostgresServer;
import dev.flinkwatch.schema.SchemaMigrations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * One real PostgreSQL server per test JVM (embedded binaries, random port, temporary data
 * directory), and a fresh migrated database per caller, so test classes never see each other's
 * rows.
 */
public final class TestPostgres {
    private static EmbeddedPostgresServer server;

    private TestPostgres() {}

    /** The shared server, started on first use and stopped when the JVM exits. */
    public static synchronized EmbeddedPostgresServer server() {
        if (server == null) {
            try {
                Path dir = Files.createTempDirectory("flinkwatch-pg-");
                server = EmbeddedPostgresServer.start(dir.resolve("data"), 0);
                Runtime.getRuntime()
                        .addShutdownHook(
                                new Thread(
                                        () -> {
                                            try {
                                                server.close();
                                            } catch (IOException ignored) {
                                                // the JVM is exiting
                                            }
                                        }));
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL did not start", e);
            }
        }
        return server;
    }

    /** Creates a new database with the platform schema applied. */
    public static Database newMigratedDatabase() {
        Database db = newEmptyDatabase();
        SchemaMigrations.migrate(db.dataSource());
        return db;
    }

    /** Creates a new, empty database. */
    public static Database newEmptyDatabase() {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try {
            server().createDatabaseIfMissing(name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name, e);
        }
        return new Database(
                name,
                server().jdbcUrl(name),
                EmbeddedPostgresServer.SUPERUSER,
                server().dataSource(name));
    }

    /**
     * A database on the shared server.
     *
     * @param name database name
     * @param jdbcUrl JDBC URL (no credentials needed on loopback)
     * @param user the user to connect as
     * @param dataSource a non-pooling data source
     */
    public record Database(String name, String jdbcUrl, String user, DataSource dataSource) {}
}
