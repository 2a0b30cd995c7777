package dev.pageviews.job.count;

import dev.pageviews.job.types.ImmutableSerializer;
import dev.pageviews.job.types.SerializerTypeInfo;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * How a {@link CountedView} crosses a shuffle: a flags byte (the view's flags, and whether it has a user), the page,
 * the second, the user when present, the count. No state of the job holds one (they travel between operators only).
 */
public final class CountedViewSerializer extends ImmutableSerializer<CountedView> {

    private static final long serialVersionUID = 1L;

    public static final CountedViewSerializer INSTANCE = new CountedViewSerializer();
    public static final TypeInformation<CountedView> TYPE = new SerializerTypeInfo<>(CountedView.class, INSTANCE, false);

    private static final int HAS_USER = 0x80;
    private static final CountedView EMPTY = new CountedView("", 0, null, 0, 0);

    private CountedViewSerializer() {}

    @Override
    public CountedView createInstance() {
        return EMPTY;
    }

    @Override
    public void serialize(CountedView view, DataOutputView target) throws IOException {
        target.writeByte(view.flags() | (view.userId() != null ? HAS_USER : 0));
        StringValue.writeString(view.page(), target);
        target.writeLong(view.second());
        if (view.userId() != null) {
            StringValue.writeString(view.userId(), target);
        }
        target.writeLong(view.count());
    }

    @Override
    public CountedView deserialize(DataInputView source) throws IOException {
        int flags = source.readByte() & 0xff;
        String page = StringValue.readString(source);
        long second = source.readLong();
        String user = (flags & HAS_USER) != 0 ? StringValue.readString(source) : null;
        return new CountedView(page, second, user, flags & ~HAS_USER, source.readLong());
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int flags = source.readByte() & 0xff;
        target.writeByte(flags);
        StringValue.copyString(source, target);
        target.writeLong(source.readLong());
        if ((flags & HAS_USER) != 0) {
            StringValue.copyString(source, target);
        }
        target.writeLong(source.readLong());
    }

    @Override
    public TypeSerializerSnapshot<CountedView> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot: no configuration, only this format (version 1). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<CountedView> {

        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
