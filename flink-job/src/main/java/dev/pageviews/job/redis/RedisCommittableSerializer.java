package dev.pageviews.job.redis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Stores committables in checkpoints. Versioned, so checkpoints and savepoints written by earlier builds stay
 * readable: version 4 adds the read side's watermark, views per minute and first visits, version 3 the lineage and
 * checkpoint, version 2 the creation time; versions 1 to 3 are still read, with those as "unknown" or empty.
 */
public final class RedisCommittableSerializer implements SimpleVersionedSerializer<RedisCommittable> {

    private static final int VERSION = 4;
    private static final int VERSION_WITHOUT_READ_SIDE = 3;
    private static final int VERSION_WITHOUT_LINEAGE = 2;
    private static final int VERSION_WITHOUT_CREATION_TIME = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(RedisCommittable committable) throws IOException {
        // Flink's buffer, not a DataOutputStream over a ByteArrayOutputStream: no lock and no call per byte
        DataOutputSerializer out = new DataOutputSerializer(sizeHint(committable));
        out.writeUTF(committable.id());
        out.writeLong(committable.createdAtMillis());
        out.writeInt(committable.increments().size());
        for (Map.Entry<String, Long> entry : committable.increments().entrySet()) {
            byte[] field = entry.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(field.length);
            out.write(field);
            out.writeLong(entry.getValue());
        }
        out.writeUTF(committable.lineage());
        out.writeLong(committable.checkpoint());
        out.writeLong(committable.watermark());
        out.writeInt(committable.minutes().size());
        for (RedisCommittable.MinuteViews m : committable.minutes()) {
            writeString(out, m.page());
            out.writeLong(m.minute());
            out.writeLong(m.views());
        }
        out.writeInt(committable.visitors().size());
        for (RedisCommittable.FirstVisits v : committable.visitors()) {
            out.writeBoolean(v.page() != null);
            if (v.page() != null) {
                writeString(out, v.page());
            }
            out.writeUTF(v.date());
            out.writeInt(v.users().size());
            for (String user : v.users()) {
                writeString(out, user);
            }
        }
        return out.getCopyOfBuffer();
    }

    /** About the bytes {@code committable} takes, so the buffer is seldom copied as it grows. */
    private static int sizeHint(RedisCommittable committable) {
        long users = 0;
        for (RedisCommittable.FirstVisits v : committable.visitors()) {
            users += v.users().size();
        }
        long bytes = 128 + committable.increments().size() * 48L + committable.minutes().size() * 56L
                + committable.visitors().size() * 56L + users * 20;
        return (int) Math.min(bytes, 1 << 26);
    }

    /** Page keys and user ids are longer than writeUTF's 64 KB limit allows for only in theory; lengths are ints here. */
    private static void writeString(DataOutputView out, String text) throws IOException {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputView in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public RedisCommittable deserialize(int version, byte[] serialized) throws IOException {
        if (version < VERSION_WITHOUT_CREATION_TIME || version > VERSION) {
            throw new IOException("Redis committable version " + version + " is unknown to this build (it reads "
                    + VERSION_WITHOUT_CREATION_TIME + " to " + VERSION + "); restore with the build that wrote the checkpoint or a newer one");
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        String id = in.readUTF();
        long createdAt = version >= VERSION_WITHOUT_LINEAGE ? in.readLong() : RedisCommittable.UNKNOWN_CREATION_TIME;
        int size = in.readInt();
        Map<String, Long> increments = new LinkedHashMap<>(size * 2);
        for (int i = 0; i < size; i++) {
            byte[] field = new byte[in.readInt()];
            in.readFully(field);
            increments.put(new String(field, java.nio.charset.StandardCharsets.UTF_8), in.readLong());
        }
        if (version < VERSION_WITHOUT_READ_SIDE) {
            return new RedisCommittable(id, createdAt, increments);
        }
        String lineage = in.readUTF();
        long checkpoint = in.readLong();
        if (version < VERSION) {
            return new RedisCommittable(id, createdAt, increments, lineage, checkpoint);
        }
        long watermark = in.readLong();
        int minuteCount = in.readInt();
        List<RedisCommittable.MinuteViews> minutes = new ArrayList<>(minuteCount);
        for (int i = 0; i < minuteCount; i++) {
            minutes.add(new RedisCommittable.MinuteViews(readString(in), in.readLong(), in.readLong()));
        }
        int visitorCount = in.readInt();
        List<RedisCommittable.FirstVisits> visitors = new ArrayList<>(visitorCount);
        for (int i = 0; i < visitorCount; i++) {
            String page = in.readBoolean() ? readString(in) : null;
            String date = in.readUTF();
            int users = in.readInt();
            List<String> ids = new ArrayList<>(users);
            for (int u = 0; u < users; u++) {
                ids.add(readString(in));
            }
            visitors.add(new RedisCommittable.FirstVisits(page, date, ids));
        }
        return new RedisCommittable(id, createdAt, increments, lineage, checkpoint, watermark, minutes, visitors);
    }
}
