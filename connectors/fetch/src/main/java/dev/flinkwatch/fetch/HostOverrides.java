package dev.flinkwatch.fetch;

import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.flink.util.TimeUtils;

/**
 * Per-host delays that replace the default minimum delay ({@code politeness.host-overrides}), e.g.
 * {@code example.com=200ms,*.shop.example=1s}. {@code example.com} matches that host and all its
 * subdomains, {@code *.shop.example} only the subdomains; the entry matching the longest part of
 * the host wins, and at equal length a wildcard beats the plain name (it is the narrower one), so
 * {@code shop.example=2s,*.shop.example=500ms} gives the apex 2 s and its subdomains 500 ms. Parsed
 * strictly: an operator who mistypes an entry should hear it at start, not find a big site paced at
 * the default.
 */
public final class HostOverrides implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?");

    private static final HostOverrides NONE = new HostOverrides(Map.of(), Map.of());

    /**
     * Plain entries ({@code example.com}) and wildcard ones ({@code *.example.com}, keyed by the
     * suffix).
     */
    private final Map<String, Duration> plain;

    private final Map<String, Duration> wildcard;

    private HostOverrides(Map<String, Duration> plain, Map<String, Duration> wildcard) {
        this.plain = Map.copyOf(plain);
        this.wildcard = Map.copyOf(wildcard);
    }

    public static HostOverrides none() {
        return NONE;
    }

    /**
     * Parses {@code host=duration} entries separated by commas (blank: none).
     *
     * @throws IllegalArgumentException naming the first bad entry
     */
    public static HostOverrides parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return NONE;
        }
        Map<String, Duration> plain = new HashMap<>();
        Map<String, Duration> wildcard = new HashMap<>();
        for (String raw : spec.split(",", -1)) {
            String entry = raw.trim();
            int eq = entry.indexOf('=');
            if (eq < 0) {
                throw invalid(entry, "is not host=duration (e.g. example.com=200ms)");
            }
            String pattern = entry.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            boolean isWildcard = pattern.startsWith("*.");
            String name = isWildcard ? pattern.substring(2) : pattern;
            if (!validHostName(name)) {
                throw invalid(
                        entry,
                        "needs a host name or *.domain before '=' (letters, digits, '-', '_' and"
                                + " dots; no scheme, port or path)");
            }
            Duration delay = parseDelay(entry, entry.substring(eq + 1).trim());
            Map<String, Duration> target = isWildcard ? wildcard : plain;
            if (target.putIfAbsent(name, delay) != null) {
                throw invalid(entry, "repeats the host pattern " + pattern);
            }
        }
        return new HostOverrides(plain, wildcard);
    }

    /** The delay for a (lower-cased) host name, if an entry matches it. */
    public Optional<Duration> delayFor(String host) {
        if (plain.isEmpty() && wildcard.isEmpty()) {
            return Optional.empty();
        }
        Duration exact = plain.get(host);
        if (exact != null) {
            return Optional.of(exact);
        }
        // Longer suffixes first: the most specific entry wins.
        for (int dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
            String suffix = host.substring(dot + 1);
            Duration d = wildcard.get(suffix);
            if (d == null) {
                d = plain.get(suffix);
            }
            if (d != null) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    public boolean isEmpty() {
        return plain.isEmpty() && wildcard.isEmpty();
    }

    private static boolean validHostName(String name) {
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (label.length() > 63 || !LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    private static Duration parseDelay(String entry, String value) {
        if (value.isEmpty()) {
            throw invalid(entry, "has no duration after '=' (e.g. 200ms, 1s)");
        }
        Duration delay;
        try {
            delay = TimeUtils.parseDuration(value);
        } catch (IllegalArgumentException e) {
            throw invalid(entry, "has an unreadable duration '" + value + "' (e.g. 200ms, 1s)");
        }
        if (delay.isNegative()) {
            throw invalid(entry, "has a negative duration");
        }
        return delay;
    }

    private static IllegalArgumentException invalid(String entry, String why) {
        return new IllegalArgumentException(
                FetchOptions.HOST_OVERRIDES.key() + ": entry '" + entry + "' " + why);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostOverrides other
                && plain.equals(other.plain)
                && wildcard.equals(other.wildcard);
    }

    @Override
    public int hashCode() {
        return plain.hashCode() * 31 + wildcard.hashCode();
    }

    @Override
    public String toString() {
        return "HostOverrides" + plain + wildcard;
    }
}
