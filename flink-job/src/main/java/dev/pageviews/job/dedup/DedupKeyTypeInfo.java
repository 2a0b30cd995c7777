package dev.pageviews.job.dedup;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** The type of the dedup stage's key: an {@link DedupKey}, serialized by {@link DedupKeySerializer}. */
public final class DedupKeyTypeInfo extends TypeInformation<DedupKey> {

    private static final long serialVersionUID = 1L;

    public static final DedupKeyTypeInfo INSTANCE = new DedupKeyTypeInfo();

    private DedupKeyTypeInfo() {}

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
    public Class<DedupKey> getTypeClass() {
        return DedupKey.class;
    }

    @Override
    public boolean isKeyType() {
        return true;
    }

    @Override
    public TypeSerializer<DedupKey> createSerializer(SerializerConfig config) {
        return DedupKeySerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "DedupKey";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof DedupKeyTypeInfo;
    }

    @Override
    public int hashCode() {
        return DedupKey.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof DedupKeyTypeInfo;
    }
}
