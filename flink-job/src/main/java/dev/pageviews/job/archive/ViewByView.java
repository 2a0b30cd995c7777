package dev.pageviews.job.archive;

import dev.pageviews.event.PageView;
import java.io.IOException;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;

/** A bulk format for {@link ArchiveBatch}es from one for single views: each batch's views are added in order. */
final class ViewByView implements BulkWriter.Factory<ArchiveBatch> {

    private static final long serialVersionUID = 1L;
    private final BulkWriter.Factory<PageView> views;

    ViewByView(BulkWriter.Factory<PageView> views) {
        this.views = views;
    }

    @Override
    public BulkWriter<ArchiveBatch> create(FSDataOutputStream out) throws IOException {
        BulkWriter<PageView> writer = views.create(out);
        return new BulkWriter<>() {
            @Override
            public void addElement(ArchiveBatch batch) throws IOException {
                for (PageView view : batch.views()) {
                    writer.addElement(view);
                }
            }

            @Override
            public void flush() throws IOException {
                writer.flush();
            }

            @Override
            public void finish() throws IOException {
                writer.finish();
            }
        };
    }
}
