package dev.flinkwatch.flink;

import java.io.IOException;
import java.util.UUID;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Serializes a UUID as its two longs (16 bytes); null is not allowed. */
public final class UuidSerializer extends TypeSerializerSingleton<UUID> {
    public static final UuidSerializer INSTANCE = new UuidSerializer();

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public UUID createInstance() {
        return new UUID(0, 0);
    }

    @Override
    public UUID copy(UUID from) {
        return from;
    }

    @Override
    public UUID copy(UUID from, UUID reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return 16;
    }

    @Override
    public void serialize(UUID record, DataOutputView target) throws IOException {
        target.writeLong(record.getMostSignificantBits());
        target.writeLong(record.getLeastSignificantBits());
    }

    @Override
    public UUID deserialize(DataInputView source) throws IOException {
        return new UUID(source.readLong(), source.readLong());
    }

    @Override
    public UUID deserialize(UUID reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        target.write(source, 16);
    }

    @Override
    public TypeSerializerSnapshot<UUID> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot for savepoint compatibility checks. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<UUID> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
