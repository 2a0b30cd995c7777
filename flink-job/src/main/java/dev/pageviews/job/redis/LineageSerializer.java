package dev.pageviews.job.redis;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** A writer's state: the lineage it belongs to ({@link Lineage}). Versioned, as it lives in savepoints. */
final class LineageSerializer implements SimpleVersionedSerializer<String> {

    private static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(String lineage) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(lineage);
        }
        return bytes.toByteArray();
    }

    @Override
    public String deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("Redis writer state version " + version + " is unknown to this build (it reads " + VERSION
                    + "); restore with the build that wrote the checkpoint or a newer one");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            return in.readUTF();
        }
    }
}
