package dev.pageviews.job.dedup;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** The type of the dedup stage's key: an {@link EventIdHash}, serialized by {@link EventIdHashSerializer}. */
public final class EventIdHashTypeInfo extends TypeInformation<EventIdHash> {

    private static final long serialVersionUID = 1L;

    public static final EventIdHashTypeInfo INSTANCE = new EventIdHashTypeInfo();

    private EventIdHashTypeInfo() {}

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
    public Class<EventIdHash> getTypeClass() {
        return EventIdHash.class;
    }

    @Override
    public boolean isKeyType() {
        return true;
    }

    @Override
    public TypeSerializer<EventIdHash> createSerializer(SerializerConfig config) {
        return EventIdHashSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "EventIdHash";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof EventIdHashTypeInfo;
    }

    @Override
    public int hashCode() {
        return EventIdHash.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof EventIdHashTypeInfo;
    }
}
