package dev.flinkwatch.flink;

import java.util.UUID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.TypeExtractor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;

/**
 * Serialization settings every job and test of the platform uses: the model's records are POJOs
 * (records) whose only non-Flink field type is {@link UUID}, which gets its own serializer; generic
 * types (Kryo) are disabled so nothing unversioned can sneak into state. Object reuse is on: every
 * record the platform passes between operators is an immutable Java record (its collections
 * unmodifiable, its arrays never written after creation), so a chained operator can take its
 * predecessor's output as it is instead of a serializer's deep copy of it (a fetched page and its
 * request, a check result fanned out to two sinks: copied on every check otherwise).
 *
 * <p>The UUID factory is registered in Flink's JVM-wide type extractor rather than through {@code
 * pipeline.serialization-config}: that option registers once per configure call and fails when a
 * JVM builds a second environment (tests, a restarted local stack), and it does not run where
 * operators create state descriptors on a TaskManager. Code that extracts types calls {@link
 * #info(Class)} (or {@link #ensureRegistered()}) first, on the client and in {@code open()}.
 */
public final class FlinkTypes {
    private FlinkTypes() {}

    /** Registers the UUID type factory in this JVM, once. */
    public static synchronized void ensureRegistered() {
        if (TypeExtractor.getTypeInfoFactory(UUID.class) == null) {
            TypeExtractor.registerFactory(UUID.class, UuidTypeInfoFactory.class);
        }
    }

    /** Type information of a platform type, with the UUID factory registered. */
    public static <T> TypeInformation<T> info(Class<T> type) {
        ensureRegistered();
        return TypeInformation.of(type);
    }

    /**
     * Disables generic types and enables object reuse in a job configuration, registers the UUID
     * factory, returns it.
     */
    public static Configuration apply(Configuration conf) {
        ensureRegistered();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        return conf;
    }
}
