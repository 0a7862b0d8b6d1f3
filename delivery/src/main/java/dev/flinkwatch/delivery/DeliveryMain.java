package dev.flinkwatch.delivery;

import dev.flinkwatch.flink.ConfigLoader;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.configuration.Configuration;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Runs the delivery component standalone: options by env ({@code FLINKWATCH_DELIVERY_…}) or flags.
 */
public final class DeliveryMain {
    private DeliveryMain() {}

    public static void main(String[] args) throws Exception {
        Configuration conf = ConfigLoader.load(DeliveryOptions.all(), System.getenv(), args);
        PGSimpleDataSource db = new PGSimpleDataSource();
        db.setUrl(conf.get(DeliveryOptions.JDBC_URL));
        db.setUser(conf.get(DeliveryOptions.JDBC_USER));
        db.setPassword(conf.get(DeliveryOptions.JDBC_PASSWORD));
        DeliveryService service = DeliveryService.start(DeliveryConfig.from(conf), db);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    try {
                                        service.close();
                                    } catch (Exception e) {
                                        // exiting anyway
                                    } finally {
                                        stopped.countDown();
                                    }
                                }));
        stopped.await();
    }
}
