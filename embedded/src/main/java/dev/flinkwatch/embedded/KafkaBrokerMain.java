package dev.flinkwatch.embedded;

/**
 * Entry point of the broker's child JVM: runs {@code kafka.Kafka} and exits when the parent JVM
 * goes away (its stdin pipe reaches EOF), so a killed test run leaves no broker behind.
 */
public final class KafkaBrokerMain {
    private KafkaBrokerMain() {}

    public static void main(String[] args) throws Exception {
        Thread watchdog =
                new Thread(
                        () -> {
                            try {
                                byte[] buf = new byte[256];
                                while (System.in.read(buf) >= 0) {
                                    // the parent never writes; EOF means it is gone
                                }
                            } catch (Exception ignored) {
                                // a broken pipe means the same as EOF
                            }
                            Runtime.getRuntime().halt(0);
                        },
                        "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        kafka.Kafka.main(args);
    }
}
