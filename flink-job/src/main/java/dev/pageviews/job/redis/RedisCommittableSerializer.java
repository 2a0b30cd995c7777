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
 * Stores committables in checkpoints. Versioned, so checkpoints and savepoints written by this build stay
 * readable by later ones: a new format gets a new version and this one keeps reading version 1.
 */
public final class RedisCommittableSerializer implements SimpleVersionedSerializer<RedisCommittable> {

    private static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(RedisCommittable committable) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + committable.increments().size() * 48);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(committable.id());
            out.writeInt(committable.increments().size());
            for (Map.Entry<String, Long> entry : committable.increments().entrySet()) {
                byte[] field = entry.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.writeInt(field.length);
                out.write(field);
                out.writeLong(entry.getValue());
            }
        }
        return bytes.toByteArray();
    }

    @Override
    public RedisCommittable deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("Redis committable version " + version + " is unknown to this build (it reads "
                    + VERSION + "); restore with the build that wrote the checkpoint or a newer one");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            String id = in.readUTF();
            int size = in.readInt();
            Map<String, Long> increments = new LinkedHashMap<>(size * 2);
            for (int i = 0; i < size; i++) {
                byte[] field = new byte[in.readInt()];
                in.readFully(field);
                increments.put(new String(field, java.nio.charset.StandardCharsets.UTF_8), in.readLong());
            }
            return new RedisCommittable(id, increments);
        }
    }
}
