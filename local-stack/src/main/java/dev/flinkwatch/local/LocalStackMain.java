package dev.flinkwatch.local;

import dev.flinkwatch.flink.ConfigLoader;
import dev.flinkwatch.llm.LlmConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.util.TimeUtils;

/**
 * The run command: starts the local stack in the foreground; Ctrl-C or SIGTERM stops it cleanly. A
 * stack that cannot start for a reason the user can fix (data directory in use, port taken, bad
 * option) prints one line saying so and exits with status 2. {@code --help} lists every option.
 */
public final class LocalStackMain {
    static final int EXIT_USAGE = 2;

    private LocalStackMain() {}

    public static void main(String[] rawArgs) throws Exception {
        // the run command passes one optional flag through Maven (-Dstack.args), empty by default
        String[] args = Arrays.stream(rawArgs).filter(a -> !a.isBlank()).toArray(String[]::new);
        if (Arrays.asList(args).contains("--help")) {
            System.out.print(help());
            return;
        }
        long started = System.nanoTime();
        LocalStack stack;
        try {
            Configuration options = ConfigLoader.load(LocalStack.options(), System.getenv(), args);
            stack = LocalStack.create(options, LlmConfig.fromEnv());
        } catch (StackStartException | IllegalArgumentException e) {
            System.err.println("flinkwatch: " + e.getMessage());
            System.exit(EXIT_USAGE);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // registered before anything starts, so a Ctrl-C during start-up stops what is running
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    stack.close();
                                    stopped.countDown();
                                },
                                "local-stack-shutdown"));
        try {
            stack.startAll();
        } catch (StackStartException e) {
            System.err.println("flinkwatch: " + e.getMessage());
            System.exit(EXIT_USAGE);
        }
        try {
            stack.awaitReady(Duration.ofSeconds(120));
        } catch (IllegalStateException e) {
            // e.g. a pipeline job that keeps failing: the stack stays up, the supervisor keeps
            // resubmitting, and /readyz says why
            System.err.println("flinkwatch: " + e.getMessage() + " (still trying; see /readyz)");
        }
        String api = stack.apiUrl();
        System.out.printf(
                """

                Flinkwatch is running (ready in %.1f s).
                  Control API      %s   (readiness: %s/readyz)
                  Flink dashboard  %s
                  Browser service  %s
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
                stack.browserUrl() == null
                        ? "not available (render=browser sources report it; see the log)"
                        : stack.browserUrl(),
                stack.dataDir(),
                stack.restoredFrom() == null ? "" : "\n  Resumed from     " + stack.restoredFrom(),
                stack.adminToken(),
                api,
                stack.adminToken(),
                api);
        stopped.await();
    }

    /** Every option with its environment variable, flag and default, from the option classes. */
    static String help() {
        StringBuilder out =
                new StringBuilder(
                        """
                        Flinkwatch local stack. Options (environment variable, or the flag --<key>=<value>):

                        """);
        for (ConfigOption<?> option : LocalStack.options()) {
            out.append(
                    String.format(
                            "  %-52s --%s%n      default: %s. %s%n",
                            ConfigLoader.envName(option),
                            option.key(),
                            defaultOf(option),
                            new HtmlFormatter().format(option.description())));
        }
        out.append(
                """

                LLM conditions: OPENAI_BASE_URL, OPENAI_API_KEY, MONITOR_LLM_* (docs/llm.md).
                Flink's own options pass through as flags, e.g. --execution.checkpointing.interval=10s.
                """);
        return out.toString();
    }

    private static String defaultOf(ConfigOption<?> option) {
        if (!option.hasDefaultValue()) {
            return "unset";
        }
        Object value = option.defaultValue();
        if (value instanceof Duration d) {
            return TimeUtils.formatWithHighestUnit(d);
        }
        if (value instanceof java.util.List<?> list) {
            return list.isEmpty()
                    ? "empty"
                    : String.join(";", list.stream().map(String::valueOf).toList());
        }
        return String.valueOf(value);
    }
}
