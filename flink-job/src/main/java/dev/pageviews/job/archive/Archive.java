package dev.pageviews.job.archive;

import dev.pageviews.event.PageView;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.DefaultRollingPolicy;

/**
 * Archives every valid view under {@code <archive-path>/format=json|parquet/dt=YYYY-MM-DD/hour=HH/}, in the
 * formats {@code --archive-format} asks for, each through its own FileSink: the hour it happened, or the hour it
 * arrived for a view older than {@code --archive-max-lateness} ({@link BatchByHour}).
 *
 * <p>Exactly once: a FileSink writes part files through the file system's recoverable writer (an S3
 * multipart upload) and publishes a part file only when the checkpoint after it was finished completes; a
 * recovery resumes or discards what was in progress. Plain JSON part files are finished at
 * {@code --archive-max-part-size} or after {@code --archive-roll-interval} (also after that long without
 * events) and may stay open across checkpoints; gzip JSON and Parquet part files are finished at every
 * checkpoint (and at the size limit), as their encoders cannot resume a half-written file.
 */
public final class Archive {

    public static final String JSON_UID = "archive-json";
    public static final String PARQUET_UID = "archive-parquet";
    public static final String BATCH_UID = "archive-batch-by-hour";
    /** Views per batch: enough to make writes large, few enough to stay small in memory. */
    static final int BATCH_VIEWS = 1000;
    public static final String PART_PREFIX = "views";
    public static final String JSON_SUFFIX = ".json";
    public static final String JSON_GZIP_SUFFIX = ".json.gz";
    public static final String PARQUET_SUFFIX = ".parquet";

    private Archive() {}

    /** Adds one sink per archive format to {@code views}; nothing when {@code --archive-path} is empty. */
    public static void attach(DataStream<PageView> views, ArchiveSettings settings) {
        if (settings.path().isEmpty()) {
            return;
        }
        DataStream<ArchiveBatch> batches = views
                .transform("archive: batch by hour", TypeInformation.of(ArchiveBatch.class),
                        new BatchByHour(BATCH_VIEWS, settings.maxLateness()))
                .uid(BATCH_UID);
        for (ArchiveFormat format : settings.formats()) {
            switch (format) {
                case JSON -> batches.sinkTo(settings.jsonGzip() ? gzipJson(settings) : json(settings))
                        .name("archive: json").uid(JSON_UID);
                case PARQUET -> batches.sinkTo(parquet(settings)).name("archive: parquet").uid(PARQUET_UID);
            }
        }
    }

    private static FileSink<ArchiveBatch> json(ArchiveSettings settings) {
        Duration roll = settings.rollInterval();
        return FileSink.forRowFormat(formatDir(settings, "json"), new JsonLinesEncoder())
                .withBucketAssigner(new EventTimePartitions())
                .withRollingPolicy(DefaultRollingPolicy.builder()
                        .withMaxPartSize(new MemorySize(settings.maxPartSizeBytes()))
                        .withRolloverInterval(roll)
                        .withInactivityInterval(roll)
                        .build())
                // how often open part files are checked against the roll interval
                .withBucketCheckInterval(Math.min(60_000, Math.max(100, roll.toMillis() / 4)))
                .withOutputFileConfig(fileNames(JSON_SUFFIX))
                .build();
    }

    private static FileSink<ArchiveBatch> gzipJson(ArchiveSettings settings) {
        return FileSink.forBulkFormat(formatDir(settings, "json"), GzipJsonLinesWriter.factory())
                .withBucketAssigner(new EventTimePartitions())
                .withRollingPolicy(new RollOnCheckpointOrSize(maxPartBytes(settings)))
                .withOutputFileConfig(fileNames(JSON_GZIP_SUFFIX))
                .build();
    }

    private static FileSink<ArchiveBatch> parquet(ArchiveSettings settings) {
        return FileSink.forBulkFormat(formatDir(settings, "parquet"), new ViewByView(PageViewParquetWriter.factory()))
                .withBucketAssigner(new EventTimePartitions())
                .withRollingPolicy(new RollOnCheckpointOrSize(maxPartBytes(settings)))
                .withOutputFileConfig(fileNames(PARQUET_SUFFIX))
                .build();
    }

    private static Path formatDir(ArchiveSettings settings, String format) {
        String base = settings.path();
        return new Path((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/format=" + format);
    }

    private static long maxPartBytes(ArchiveSettings settings) {
        return settings.maxPartSizeBytes();
    }

    private static OutputFileConfig fileNames(String suffix) {
        return OutputFileConfig.builder().withPartPrefix(PART_PREFIX).withPartSuffix(suffix).build();
    }
}
