package dev.pageviews.job.archive;

import java.io.IOException;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;

/**
 * Newline-delimited JSON in one gzip member per part file. A bulk writer, not a row encoder: the deflater
 * holds bytes that are not in the file yet, so an open part file cannot be resumed after a failure and
 * must be finished at each checkpoint, which bulk formats do.
 */
public final class GzipJsonLinesWriter implements BulkWriter<ArchiveBatch> {

    private final GZIPOutputStream gzip;

    private GzipJsonLinesWriter(FSDataOutputStream out) throws IOException {
        this.gzip = new GZIPOutputStream(out, 64 * 1024);
    }

    /** The factory the FileSink serializes to its tasks. */
    public static BulkWriter.Factory<ArchiveBatch> factory() {
        return GzipJsonLinesWriter::new;
    }

    @Override
    public void addElement(ArchiveBatch batch) throws IOException {
        gzip.write(batch.jsonLines());
    }

    @Override
    public void flush() throws IOException {
        gzip.flush();
    }

    /** Writes the gzip trailer; the sink closes the underlying stream itself. */
    @Override
    public void finish() throws IOException {
        gzip.finish();
    }
}
