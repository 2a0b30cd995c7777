package dev.pageviews.job.source;

import dev.pageviews.event.PageView;
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
 * How a {@link PageView} crosses a shuffle (the keyBy of the dedup stage): field by field, with no reflection and
 * no boxing. Flink's own serializer for a record (a POJO serializer) reads each field through reflection, boxes the
 * two {@code long}s both ways, and builds each view through an {@code Object[]} and the constructor called
 * reflectively; this one writes one flags byte, the strings, and the longs.
 *
 * <p>Format: flags ({@link #HAS_EVENT_ID}, {@link #EVENT_ID_FROM_CLIENT}, {@link #HAS_RECEIVED_AT}), user id, page URL
 * (strings as {@link StringValue} writes them), timestamp, then the event id and the receive time when present. Views
 * travel between operators in this format; no state of the job holds one, so no checkpoint holds one either (in-flight
 * records would be in a checkpoint only with unaligned checkpoints, which the job does not use). A null view is not
 * supported: no operator emits one.
 */
public final class PageViewSerializer extends ImmutableSerializer<PageView> {

    private static final long serialVersionUID = 1L;

    public static final PageViewSerializer INSTANCE = new PageViewSerializer();
    /** The type of the stream of valid views, given where it is made ({@code validate}); every operator downstream keeps it. */
    public static final TypeInformation<PageView> TYPE = new SerializerTypeInfo<>(PageView.class, INSTANCE, false);

    private static final PageView EMPTY = PageView.of("", "", 0L);

    static final int HAS_EVENT_ID = 1;
    static final int EVENT_ID_FROM_CLIENT = 2;
    static final int HAS_RECEIVED_AT = 4;

    private PageViewSerializer() {}

    @Override
    public PageView createInstance() {
        return EMPTY; // immutable: never filled in
    }

    @Override
    public void serialize(PageView view, DataOutputView target) throws IOException {
        boolean hasReceivedAt = view.receivedAtMillis() != PageView.UNKNOWN_RECEIVE_TIME;
        int flags = (view.eventId() != null ? HAS_EVENT_ID : 0)
                | (view.eventIdFromClient() ? EVENT_ID_FROM_CLIENT : 0)
                | (hasReceivedAt ? HAS_RECEIVED_AT : 0);
        target.writeByte(flags);
        StringValue.writeString(view.userId(), target);
        StringValue.writeString(view.pageUrl(), target);
        target.writeLong(view.timestamp());
        if (view.eventId() != null) {
            StringValue.writeString(view.eventId(), target);
        }
        if (hasReceivedAt) {
            target.writeLong(view.receivedAtMillis());
        }
    }

    @Override
    public PageView deserialize(DataInputView source) throws IOException {
        int flags = source.readByte();
        String userId = StringValue.readString(source);
        String pageUrl = StringValue.readString(source);
        long timestamp = source.readLong();
        String eventId = (flags & HAS_EVENT_ID) != 0 ? StringValue.readString(source) : null;
        long receivedAt = (flags & HAS_RECEIVED_AT) != 0 ? source.readLong() : PageView.UNKNOWN_RECEIVE_TIME;
        return new PageView(userId, pageUrl, timestamp, eventId, receivedAt, (flags & EVENT_ID_FROM_CLIENT) != 0);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int flags = source.readByte();
        target.writeByte(flags);
        StringValue.copyString(source, target);
        StringValue.copyString(source, target);
        target.writeLong(source.readLong());
        if ((flags & HAS_EVENT_ID) != 0) {
            StringValue.copyString(source, target);
        }
        if ((flags & HAS_RECEIVED_AT) != 0) {
            target.writeLong(source.readLong());
        }
    }

    @Override
    public TypeSerializerSnapshot<PageView> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot: it has no configuration, only this format (version 1). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<PageView> {

        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
