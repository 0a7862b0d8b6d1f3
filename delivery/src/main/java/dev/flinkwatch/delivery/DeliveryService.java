package dev.flinkwatch.delivery;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flinkwatch.fetch.HostResolver;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery component: alert intake from Kafka, the durable queue in PostgreSQL and the
 * dispatcher, started together and stopped together by {@link #close()}. Several instances with the
 * same group id share the topic's partitions and the queue ({@code SKIP LOCKED}).
 */
public final class DeliveryService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryService.class);

    private final HikariDataSource pool;
    private final ChannelSenders senders;
    private final Dispatcher dispatcher;
    private final AlertIntake intake;
    private final DeliveryMetrics metrics = new DeliveryMetrics();

    private DeliveryService(DeliveryConfig config, DataSource db, HostResolver resolver) {
        this.pool = pool(db);
        SecretBox box = SecretBox.fromKeysetJson(config.secretKeyset());
        DeliveryStore store = new DeliveryStore(pool, box, config.apiBaseUrl());
        this.senders = new ChannelSenders(config, resolver);
        this.dispatcher =
                new Dispatcher(store, new WebhookSecrets(pool, box), senders, config, metrics);
        this.intake = new AlertIntake(config, store, metrics, dispatcher::wakeUp);
    }

    /** Starts on a migrated database (the schema module's migrations). */
    public static DeliveryService start(DeliveryConfig config, DataSource db) {
        return start(config, db, HostResolver.system());
    }

    public static DeliveryService start(
            DeliveryConfig config, DataSource db, HostResolver resolver) {
        DeliveryService service = new DeliveryService(config, db, resolver);
        service.dispatcher.start();
        service.intake.start();
        LOG.info("event=delivery_started config={}", config);
        return service;
    }

    public DeliveryMetrics metrics() {
        return metrics;
    }

    /** Stops reading, lets attempts in flight finish, then closes the client and the pool. */
    @Override
    public void close() throws Exception {
        try {
            intake.close();
            dispatcher.close();
        } finally {
            senders.close();
            pool.close();
        }
        LOG.info("event=delivery_stopped");
    }

    private static HikariDataSource pool(DataSource db) {
        HikariConfig hikari = new HikariConfig();
        hikari.setDataSource(db);
        hikari.setPoolName("delivery");
        hikari.setMaximumPoolSize(8);
        hikari.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
        hikari.setInitializationFailTimeout(-1);
        return new HikariDataSource(hikari);
    }
}
