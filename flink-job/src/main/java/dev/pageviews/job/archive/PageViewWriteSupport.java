package dev.pageviews.job.archive;

import dev.pageviews.event.PageView;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/** Writes a {@link PageView} as one {@link ParquetSchema#PAGE_VIEW} record; absent optional fields are left out (null). */
final class PageViewWriteSupport extends WriteSupport<PageView> {

    private static final MessageType SCHEMA = ParquetSchema.PAGE_VIEW;
    private RecordConsumer out;

    @Override
    public WriteContext init(Configuration configuration) {
        return new WriteContext(SCHEMA, Map.of());
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return new WriteContext(SCHEMA, Map.of());
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.out = recordConsumer;
    }

    @Override
    public void write(PageView view) {
        out.startMessage();
        string(0, view.userId());
        string(1, view.pageUrl());
        int64(2, view.timestampMillis());
        if (view.eventId() != null) {
            string(3, view.eventId());
        }
        if (view.receivedAtMillis() != PageView.UNKNOWN_RECEIVE_TIME) {
            int64(4, view.receivedAtMillis());
        }
        String flag = SCHEMA.getFieldName(5);
        out.startField(flag, 5);
        out.addBoolean(view.eventIdFromClient());
        out.endField(flag, 5);
        out.endMessage();
    }

    private void string(int index, String value) {
        String name = SCHEMA.getFieldName(index);
        out.startField(name, index);
        out.addBinary(Binary.fromString(value));
        out.endField(name, index);
    }

    private void int64(int index, long value) {
        String name = SCHEMA.getFieldName(index);
        out.startField(name, index);
        out.addLong(value);
        out.endField(name, index);
    }
}
