package dev.flinkwatch.flink;

import java.util.UUID;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information for {@link UUID}, so ids never fall back to Kryo. */
public final class UuidTypeInfo extends TypeInformation<UUID> {
    public static final UuidTypeInfo INSTANCE = new UuidTypeInfo();

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<UUID> getTypeClass() {
        return UUID.class;
    }

    @Override
    public boolean isKeyType() {
        return true;
    }

    @Override
    public TypeSerializer<UUID> createSerializer(SerializerConfig config) {
        return UuidSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "UUID";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof UuidTypeInfo;
    }

    @Override
    public int hashCode() {
        return UUID.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof UuidTypeInfo;
    }
}
