package dev.pageviews.job.dedup;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's serializer checks (copies, snapshots and their restore, duplicates, concurrent use) for the dedup key. */
class EventIdHashSerializerTest extends SerializerTestBase<EventIdHash> {

    @Override
    protected TypeSerializer<EventIdHash> createSerializer() {
        return EventIdHashSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return 16;
    }

    @Override
    protected Class<EventIdHash> getTypeClass() {
        return EventIdHash.class;
    }

    @Override
    protected EventIdHash[] getTestData() {
        return new EventIdHash[] {
                EventIdHash.of("3f2b8c1e-9d4a-4e5b-8c7d-1a2b3c4d5e6f"), EventIdHash.of(""), new EventIdHash(0, 0),
                new EventIdHash(Long.MIN_VALUE, Long.MAX_VALUE), new EventIdHash(-1, 1)};
    }
}
