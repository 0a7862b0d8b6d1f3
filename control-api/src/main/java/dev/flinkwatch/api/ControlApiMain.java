package dev.flinkwatch.api;

import java.util.Arrays;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.LoggerFactory;

/**
 * The standalone control API: {@code java -jar flinkwatch-control-api-*-standalone.jar --help}.
 * Runs until the process is stopped; SIGTERM closes it cleanly (HTTP, relay, pool).
 */
public final class ControlApiMain {
    /** Used unless {@code -Dlog4j2.configurationFile} says otherwise. */
    private static final String LOG_CONFIG = "flinkwatch-control-api-log4j2.properties";

    private ControlApiMain() {}

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--help")) {
            System.out.print(StandaloneSettings.usage());
            return;
        }
        // Before the first logger exists, so Log4j picks it up.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG);
        }
        StandaloneSettings.Parsed settings;
        try {
            settings = StandaloneSettings.parse(System.getenv(), args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(StandaloneSettings.usage());
            System.exit(2);
            return;
        }
        PGSimpleDataSource db = new PGSimpleDataSource();
        db.setURL(settings.jdbcUrl());
        db.setUser(settings.jdbcUser());
        db.setPassword(settings.jdbcPassword());
        ControlApi api = ControlApi.start(settings.config(), db);
        Runtime.getRuntime().addShutdownHook(new Thread(api::close, "control-api-shutdown"));
        LoggerFactory.getLogger(ControlApiMain.class)
                .info("event=control_api_ready url={}", api.baseUrl());
    }
}
