package dev.flinkwatch.schema;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Applies the platform's PostgreSQL schema (Flyway migrations under {@value #LOCATION}). */
public final class SchemaMigrations {
    public static final String LOCATION = "classpath:db/migration/flinkwatch";

    private SchemaMigrations() {}

    /** Migrates the database to the latest schema version; safe to call on every start. */
    public static MigrateResult migrate(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations(LOCATION)
                .failOnMissingLocations(true)
                .load()
                .migrate();
    }
}
