package dev.flinkwatch.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;

/**
 * Serialization settings every job and test of the platform uses: the model's records are POJOs
 * (records) whose only non-Flink field type is {@link UUID}, which gets its own serializer; generic
 * types (Kryo) are disabled so nothing unversioned can sneak into state.
 */
public final class FlinkTypes {
    private FlinkTypes() {}

    /** Adds the platform's serialization settings to a configuration and returns it. */
    public static Configuration apply(Configuration conf) {
        List<String> entries =
                new ArrayList<>(
                        conf.getOptional(PipelineOptions.SERIALIZATION_CONFIG).orElse(List.of()));
        entries.add(
                UUID.class.getName()
                        + ": {type: typeinfo, class: "
                        + UuidTypeInfoFactory.class.getName()
                        + "}");
        conf.set(PipelineOptions.SERIALIZATION_CONFIG, entries);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return conf;
    }
}
