package dev.flinkwatch.cluster;

import io.github.classgraph.ClassGraph;
import io.github.classgraph.ClassInfo;
import io.github.classgraph.ScanResult;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;

/**
 * Every configuration key Flink (and our job) defines: the keys, fallback keys and deprecated keys
 * of each public static {@link ConfigOption} on the classpath, found the way Flink's own docs
 * generator finds them (by scanning for option fields) rather than from a hand-kept list.
 */
final class FlinkOptionKeys {
    private static Set<String> known;

    private FlinkOptionKeys() {}

    static synchronized Set<String> known() {
        if (known == null) {
            Set<String> keys = new HashSet<>();
            try (ScanResult scan =
                    new ClassGraph()
                            .enableClassInfo()
                            .enableFieldInfo()
                            .acceptPackages("org.apache.flink", "dev.flinkwatch")
                            .scan()) {
                for (ClassInfo info : scan.getAllClasses()) {
                    boolean hasOption =
                            info.getDeclaredFieldInfo().stream()
                                    .anyMatch(
                                            f ->
                                                    f.isStatic()
                                                            && f.getTypeDescriptor()
                                                                    .toString()
                                                                    .startsWith(
                                                                            ConfigOption.class
                                                                                    .getName()));
                    if (hasOption) {
                        addKeys(info, keys);
                    }
                }
            }
            known = keys;
        }
        return known;
    }

    private static void addKeys(ClassInfo info, Set<String> keys) {
        Class<?> type;
        try {
            type = info.loadClass();
        } catch (RuntimeException | LinkageError e) {
            return; // an optional dependency of that class is absent: its options cannot be set
            // here
        }
        for (Field field : type.getDeclaredFields()) {
            int mod = field.getModifiers();
            if (!Modifier.isStatic(mod)
                    || !Modifier.isPublic(mod)
                    || !ConfigOption.class.isAssignableFrom(field.getType())) {
                continue;
            }
            try {
                ConfigOption<?> option = (ConfigOption<?>) field.get(null);
                keys.add(option.key());
                for (FallbackKey fallback : option.fallbackKeys()) {
                    keys.add(fallback.getKey());
                }
            } catch (IllegalAccessException | RuntimeException | LinkageError e) {
                // not readable here: not a key anyone can set from a config file
            }
        }
    }

    /**
     * The keys Flink does not know.
     *
     * @param keys keys of a configuration
     * @param delegatedPrefixes key prefixes owned by components outside this classpath (the
     *     Kubernetes operator, file system plugins)
     */
    static Set<String> unknown(Collection<String> keys, List<String> delegatedPrefixes) {
        Set<String> out = new TreeSet<>();
        for (String key : keys) {
            if (!known().contains(key) && delegatedPrefixes.stream().noneMatch(key::startsWith)) {
                out.add(key);
            }
        }
        return out;
    }
}
