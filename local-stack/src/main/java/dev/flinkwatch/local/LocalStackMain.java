package dev.flinkwatch.local;

import dev.flinkwatch.flink.ConfigLoader;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.configuration.Configuration;

/** The run command: starts the local stack in the foreground; Ctrl-C stops it cleanly. */
public final class LocalStackMain {
    private LocalStackMain() {}

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        Configuration options = ConfigLoader.load(LocalStackOptions.all(), System.getenv(), args);
        LocalStack stack = LocalStack.start(options);
        stack.awaitReady(Duration.ofSeconds(120));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    stack.close();
                                    stopped.countDown();
                                },
                                "local-stack-shutdown"));
        String api = stack.apiUrl();
        System.out.printf(
                """

                Flinkwatch is running (ready in %.1f s).
                  Control API      %s   (readiness: %s/readyz)
                  Flink dashboard  %s
                  Data directory   %s%s
                  Admin token      %s

                Try it:
                  curl -s -X POST %s/v1/tenants -H 'X-Admin-Token: %s' \\
                       -H 'Content-Type: application/json' -d '{"name":"me"}'
                  # then, with the apiKey from the answer:
                  curl -s -X POST %s/v1/monitors -H 'Authorization: Bearer <apiKey>' \\
                       -H 'Content-Type: application/json' \\
                       -d '{"name":"Example","sources":[{"url":"https://example.com/"}],"intervalSeconds":300,"condition":{"type":"any_change"}}'

                Ctrl-C stops everything.
                """,
                (System.nanoTime() - started) / 1e9,
                api,
                api,
                stack.dashboardUrl(),
                stack.dataDir(),
                stack.restoredFrom() == null ? "" : "\n  Resumed from     " + stack.restoredFrom(),
                stack.adminToken(),
                api,
                stack.adminToken(),
                api);
        stopped.await();
    }
}
