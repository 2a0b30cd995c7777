package dev.pageviews.job.dedup;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's serializer checks (copies, snapshots and their restore, duplicates, concurrent use) for the dedup key. */
class DedupKeySerializerTest extends SerializerTestBase<DedupKey> {

    @Override
    protected TypeSerializer<DedupKey> createSerializer() {
        return DedupKeySerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<DedupKey> getTypeClass() {
        return DedupKey.class;
    }

    @Override
    protected DedupKey[] getTestData() {
        return new DedupKey[] {
                DedupKey.of("3f2b8c1e-9d4a-4e5b-8c7d-1a2b3c4d5e6f"), DedupKey.of(""), DedupKey.of("order-42"),
                DedupKey.of("user-\u00fc-\u20ac"), new DedupKey(Long.MIN_VALUE, Long.MAX_VALUE, null), new DedupKey(-1, 1, null)};
    }
}
