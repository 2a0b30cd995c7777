package dev.pageviews.job.archive;

import dev.pageviews.event.PageView;
import dev.pageviews.job.JobConfig;
import java.time.Duration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.DefaultRollingPolicy;

/**
 * Archives every valid view as newline-delimited JSON under {@code <archive-path>/format=json/dt=.../hour=.../}.
 *
 * <p>Exactly once: Flink's FileSink writes part files through the file system's recoverable writer (a
 * multipart upload on S3) and makes them visible only when the checkpoint that finished them completes;
 * a recovery resumes or discards what was in progress. Part files roll at {@code --archive-max-part-size}
 * or after {@code --archive-roll-interval} (also when a bucket saw no event for that long) and become
 * visible at the next completed checkpoint. In-progress files are hidden ({@code .views-...inprogress...}).
 */
public final class Archive {

    public static final String JSON_UID = "archive-json";
    public static final String PART_PREFIX = "views";
    public static final String JSON_SUFFIX = ".json";

    private Archive() {}

    public static void attach(DataStream<PageView> views, JobConfig config) {
        if (config.archivePath().isEmpty()) {
            return;
        }
        Duration roll = config.archiveRollInterval();
        FileSink<PageView> json = FileSink
                .forRowFormat(new Path(stripTrailingSlash(config.archivePath()) + "/format=json"), new JsonLinesEncoder())
                .withBucketAssigner(new EventTimePartitions())
                .withRollingPolicy(DefaultRollingPolicy.builder()
                        .withMaxPartSize(MemorySize.ofMebiBytes(config.archiveMaxPartSizeMb()))
                        .withRolloverInterval(roll)
                        .withInactivityInterval(roll)
                        .build())
                .withBucketCheckInterval(Math.min(60_000, Math.max(100, roll.toMillis() / 2)))
                .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix(PART_PREFIX).withPartSuffix(JSON_SUFFIX).build())
                .build();
        views.sinkTo(json).name("archive: json").uid(JSON_UID);
    }

    private static String stripTrailingSlash(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
