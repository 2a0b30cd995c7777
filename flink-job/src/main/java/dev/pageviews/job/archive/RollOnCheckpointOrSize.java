package dev.pageviews.job.archive;

import java.io.IOException;
import org.apache.flink.streaming.api.functions.sink.filesystem.PartFileInfo;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.CheckpointRollingPolicy;

/**
 * For part files that cannot be resumed after a failure (Parquet, gzip): finished at every checkpoint, and
 * earlier when they reach {@code maxPartSizeBytes}.
 */
final class RollOnCheckpointOrSize extends CheckpointRollingPolicy<ArchiveBatch, String> {

    private static final long serialVersionUID = 1L;
    private final long maxPartSizeBytes;

    RollOnCheckpointOrSize(long maxPartSizeBytes) {
        this.maxPartSizeBytes = maxPartSizeBytes;
    }

    @Override
    public boolean shouldRollOnEvent(PartFileInfo<String> partFile, ArchiveBatch batch) throws IOException {
        return partFile.getSize() >= maxPartSizeBytes;
    }

    @Override
    public boolean shouldRollOnProcessingTime(PartFileInfo<String> partFile, long now) {
        return false;
    }
}
