package dev.pageviews.job.archive;

import dev.pageviews.event.PageView;
import dev.pageviews.event.PageViewCodec;
import org.apache.flink.formats.parquet.ParquetBuilder;
import org.apache.flink.formats.parquet.ParquetWriterFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;

/**
 * Parquet part files of {@link PageView}s ({@link ParquetSchema#PAGE_VIEW}), ZSTD-compressed, through
 * flink-parquet's bulk writer. Written directly from the record, without an Avro or Flink row in between.
 */
public final class PageViewParquetWriter extends ParquetWriter.Builder<PageView, PageViewParquetWriter> {

    private PageViewParquetWriter(OutputFile file) {
        super(file);
    }

    /** The factory the FileSink serializes to its tasks. */
    public static ParquetWriterFactory<PageView> factory() {
        return new ParquetWriterFactory<>((ParquetBuilder<PageView>) PageViewParquetWriter::create);
    }

    private static ParquetWriter<PageView> create(OutputFile file) throws java.io.IOException {
        return new PageViewParquetWriter(file)
                .withConf(new PlainParquetConfiguration())
                .withCompressionCodec(CompressionCodecName.ZSTD)
                // unique per view: a dictionary would only be filled, then dropped
                .withDictionaryEncoding(PageViewCodec.EVENT_ID, false)
                .withDictionaryEncoding(PageViewCodec.RECEIVED_AT, false)
                .build();
    }

    @Override
    protected PageViewParquetWriter self() {
        return this;
    }

    @Override
    protected WriteSupport<PageView> getWriteSupport(Configuration configuration) {
        return new PageViewWriteSupport();
    }

    @Override
    protected WriteSupport<PageView> getWriteSupport(ParquetConfiguration configuration) {
        return new PageViewWriteSupport();
    }
}
