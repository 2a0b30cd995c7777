package dev.pageviews.job.archive;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.flink.api.common.serialization.Encoder;

/**
 * One event per line, in the same JSON as on the Kafka topic (the contract's codec). A whole batch goes out in
 * a single write: a local part file is an unbuffered channel, where every write is a system call.
 */
public final class JsonLinesEncoder implements Encoder<ArchiveBatch> {

    private static final long serialVersionUID = 1L;

    @Override
    public void encode(ArchiveBatch batch, OutputStream out) throws IOException {
        out.write(batch.jsonLines());
    }
}
