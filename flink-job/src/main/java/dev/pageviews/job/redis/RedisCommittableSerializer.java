package dev.pageviews.job.redis;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Stores committables in checkpoints. Versioned, so checkpoints and savepoints written by earlier builds stay
 * readable: version 3 adds the lineage and checkpoint, version 2 the creation time; versions 1 and 2 are still read,
 * as "unknown".
 */
public final class RedisCommittableSerializer implements SimpleVersionedSerializer<RedisCommittable> {

    private static final int VERSION = 3;
    private static final int VERSION_WITHOUT_LINEAGE = 2;
    private static final int VERSION_WITHOUT_CREATION_TIME = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(RedisCommittable committable) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + committable.increments().size() * 48);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
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
        }
        return bytes.toByteArray();
    }

    @Override
    public RedisCommittable deserialize(int version, byte[] serialized) throws IOException {
        if (version < VERSION_WITHOUT_CREATION_TIME || version > VERSION) {
            throw new IOException("Redis committable version " + version + " is unknown to this build (it reads "
                    + VERSION_WITHOUT_CREATION_TIME + " to " + VERSION + "); restore with the build that wrote the checkpoint or a newer one");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            String id = in.readUTF();
            long createdAt = version >= VERSION_WITHOUT_LINEAGE ? in.readLong() : RedisCommittable.UNKNOWN_CREATION_TIME;
            int size = in.readInt();
            Map<String, Long> increments = new LinkedHashMap<>(size * 2);
            for (int i = 0; i < size; i++) {
                byte[] field = new byte[in.readInt()];
                in.readFully(field);
                increments.put(new String(field, java.nio.charset.StandardCharsets.UTF_8), in.readLong());
            }
            if (version < VERSION) {
                return new RedisCommittable(id, createdAt, increments);
            }
            String lineage = in.readUTF();
            return new RedisCommittable(id, createdAt, increments, lineage, in.readLong());
        }
    }
}
