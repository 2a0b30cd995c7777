package dev.pageviews.job.dedup;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes a bucket's {@link RememberedIds} into checkpoints and savepoints: the latest second and span it was asked
 * at, the number of ids still remembered then, and each of them as its {@link DedupKeySerializer key} and the
 * second of its first count (21 bytes for a UUID). Expired ids are left out. The format is part of every snapshot of the dedup stage on the
 * heap: a new one needs a new snapshot version that can still read this one.
 */
public final class RememberedIdsSerializer extends TypeSerializerSingleton<RememberedIds> {

    private static final long serialVersionUID = 1L;

    public static final RememberedIdsSerializer INSTANCE = new RememberedIdsSerializer();

    private RememberedIdsSerializer() {}

    @Override
    public boolean isImmutableType() {
        return false; // changed in place: the heap backend copies a table a running checkpoint still writes
    }

    @Override
    public RememberedIds createInstance() {
        return new RememberedIds();
    }

    @Override
    public RememberedIds copy(RememberedIds from) {
        return from.copy();
    }

    @Override
    public RememberedIds copy(RememberedIds from, RememberedIds reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(RememberedIds ids, DataOutputView target) throws IOException {
        target.writeInt(ids.latestSecond());
        target.writeInt(ids.latestSpan());
        target.writeInt(ids.size());
        ids.<IOException>forEach((key, first) -> {
            DedupKeySerializer.INSTANCE.serialize(key, target);
            target.writeInt(first);
        });
    }

    @Override
    public RememberedIds deserialize(DataInputView source) throws IOException {
        int asOf = source.readInt();
        int span = source.readInt();
        int count = source.readInt();
        if (count < 0) {
            throw new IOException("not a table of remembered ids: " + count + " ids (the state is damaged or not this job's)");
        }
        RememberedIds ids = RememberedIds.withRoomFor(count + 1);
        for (int i = 0; i < count; i++) {
            DedupKey key = DedupKeySerializer.INSTANCE.deserialize(source);
            ids.restore(key, source.readInt(), asOf, span);
        }
        return ids;
    }

    @Override
    public RememberedIds deserialize(RememberedIds reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<RememberedIds> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot: it has no configuration, only this format (version 1). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<RememberedIds> {

        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
