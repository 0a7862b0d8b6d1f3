package dev.flinkwatch.flink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Builds a Flink {@link Configuration} from typed options, overridable by environment variables and
 * command-line flags. Each option {@code flinkwatch.fetch.max-redirects} can be set as env {@code
 * FLINKWATCH_FETCH_MAX_REDIRECTS} or flag {@code --flinkwatch.fetch.max-redirects=7} (flags win).
 * Flags that are not platform options (e.g. Flink's own {@code
 * --execution.checkpointing.interval=10s}) pass through as plain keys. Values are validated by
 * parsing them with the option's type at load time, so a typo fails at start, not mid-run.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    /** The environment variable that sets an option. */
    public static String envName(ConfigOption<?> option) {
        return option.key().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * @param options every option the program reads
     * @param env the environment (System.getenv())
     * @param args command-line flags of the form --key=value or --key value
     */
    public static Configuration load(
            Collection<ConfigOption<?>> options, Map<String, String> env, String[] args) {
        Map<String, String> raw = new java.util.LinkedHashMap<>();
        for (ConfigOption<?> option : options) {
            String value = env.get(envName(option));
            if (value != null) {
                raw.put(option.key(), value);
            }
        }
        raw.putAll(parseFlags(args));
        Configuration conf = Configuration.fromMap(raw);
        List<String> problems = new ArrayList<>();
        for (ConfigOption<?> option : options) {
            try {
                conf.get(option);
            } catch (RuntimeException e) {
                problems.add(option.key() + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration: " + problems);
        }
        return conf;
    }

    static Map<String, String> parseFlags(String[] args) {
        Map<String, String> flags = new java.util.LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException("expected --key=value, got: " + arg);
            }
            int eq = arg.indexOf('=');
            if (eq > 0) {
                flags.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                flags.put(arg.substring(2), args[++i]);
            } else {
                flags.put(arg.substring(2), "true");
            }
        }
        return flags;
    }
}
