package dev.pageviews.job.dedup;

import dev.pageviews.job.types.ImmutableSerializer;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The serializer of an event id in the dedup state: a UUID key as a 0 byte and its two longs (17 bytes), any other id as a 1
 * byte and the id in modified UTF-8. It is part of every checkpoint and savepoint of the dedup operator, so its
 * format must not change (a new format needs a new snapshot version that can still read this one).
 */
public final class DedupKeySerializer extends ImmutableSerializer<DedupKey> {

    private static final long serialVersionUID = 1L;

    public static final DedupKeySerializer INSTANCE = new DedupKeySerializer();

    private static final byte UUID = 0;
    private static final byte TEXT = 1;
    private static final DedupKey EMPTY = new DedupKey(0, 0, "");

    private DedupKeySerializer() {}

    @Override
    public DedupKey createInstance() {
        return EMPTY;
    }

    @Override
    public void serialize(DedupKey key, DataOutputView target) throws IOException {
        if (key.isUuid()) {
            target.writeByte(UUID);
            target.writeLong(key.high());
            target.writeLong(key.low());
        } else {
            target.writeByte(TEXT);
            target.writeUTF(key.text());
        }
    }

    @Override
    public DedupKey deserialize(DataInputView source) throws IOException {
        byte kind = source.readByte();
        return switch (kind) {
            case UUID -> new DedupKey(source.readLong(), source.readLong(), null);
            case TEXT -> new DedupKey(0, 0, source.readUTF());
            default -> throw new IOException("not a dedup key: kind " + kind + " (the state is damaged or not this job's)");
        };
    }

    @Override
    public TypeSerializerSnapshot<DedupKey> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot: it has no configuration, only this format (version 1). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<DedupKey> {

        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
