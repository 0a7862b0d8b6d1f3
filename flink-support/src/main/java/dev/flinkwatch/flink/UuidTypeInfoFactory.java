package dev.flinkwatch.flink;

import java.lang.reflect.Type;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Registered for {@link UUID} through {@code pipeline.serialization-config}. */
public final class UuidTypeInfoFactory extends TypeInfoFactory<UUID> {
    @Override
    public TypeInformation<UUID> createTypeInfo(
            Type type, Map<String, TypeInformation<?>> genericParameters) {
        return UuidTypeInfo.INSTANCE;
    }
}
