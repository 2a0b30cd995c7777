package dev.pageviews.job.archive;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;

/**
 * Hive-style partitions by the event's own time in UTC, {@code dt=2024-11-05/hour=13}, as Athena, Spark and
 * DuckDB read them. Event time, not arrival time: a view lands in the hour it happened, even when late.
 */
public final class EventTimePartitions implements BucketAssigner<ArchiveBatch, String> {

    private static final long serialVersionUID = 1L;
    private static final DateTimeFormatter PARTITION =
            DateTimeFormatter.ofPattern("'dt='yyyy-MM-dd'/hour='HH").withZone(ZoneOffset.UTC);

    @Override
    public String getBucketId(ArchiveBatch batch, Context context) {
        return batch.partition(); // computed once per batch by BatchByHour
    }

    public static String partitionOf(long epochSeconds) {
        return PARTITION.format(Instant.ofEpochSecond(epochSeconds));
    }

    @Override
    public SimpleVersionedSerializer<String> getSerializer() {
        return SimpleVersionedStringSerializer.INSTANCE;
    }
}
