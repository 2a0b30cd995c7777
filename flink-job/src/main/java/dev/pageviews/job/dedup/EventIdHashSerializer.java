package dev.pageviews.job.dedup;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The key serializer of the dedup state: an {@link EventIdHash} as its two longs, 16 bytes. It is part of every
 * checkpoint and savepoint of the dedup operator, so its format must not change (a new format needs a new snapshot
 * version that can still read this one).
 */
public final class EventIdHashSerializer extends TypeSerializerSingleton<EventIdHash> {

    private static final long serialVersionUID = 1L;

    public static final EventIdHashSerializer INSTANCE = new EventIdHashSerializer();

    private static final EventIdHash ZERO = new EventIdHash(0, 0);

    private EventIdHashSerializer() {}

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public EventIdHash createInstance() {
        return ZERO;
    }

    @Override
    public EventIdHash copy(EventIdHash from) {
        return from;
    }

    @Override
    public EventIdHash copy(EventIdHash from, EventIdHash reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return 16;
    }

    @Override
    public void serialize(EventIdHash hash, DataOutputView target) throws IOException {
        target.writeLong(hash.high());
        target.writeLong(hash.low());
    }

    @Override
    public EventIdHash deserialize(DataInputView source) throws IOException {
        return new EventIdHash(source.readLong(), source.readLong());
    }

    @Override
    public EventIdHash deserialize(EventIdHash reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        target.write(source, 16);
    }

    @Override
    public TypeSerializerSnapshot<EventIdHash> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot: it has no configuration, only this format (version 1). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<EventIdHash> {

        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
