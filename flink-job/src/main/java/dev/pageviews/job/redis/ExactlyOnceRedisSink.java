package dev.pageviews.job.redis;

import dev.pageviews.job.count.CountedView;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Adds page counts to a Redis hash exactly once. Writers sum increments per checkpoint; at the checkpoint
 * they become committables, stored in the checkpoint; once it completes, the committer applies each with
 * one idempotent Lua call ({@link IncrementScript}). A recovery re-commits what the restored checkpoint
 * holds; commits already applied are recognised by their marker and skipped.
 *
 * <p>Before a writer counts anything it checks Redis ({@link RedisStartChecks}: the user's rights, the eviction
 * policy) and that the restore point is not behind what Redis has counted ({@link Lineage}).
 */
public final class ExactlyOnceRedisSink implements Sink<CountedView>, SupportsCommitter<RedisCommittable>,
        SupportsWriterState<CountedView, String> {

    private static final long serialVersionUID = 1L;

    private final RedisSinkSettings settings;

    public ExactlyOnceRedisSink(RedisSinkSettings settings) {
        this.settings = settings;
    }

    @Override
    public StatefulSinkWriter<CountedView, String> createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<CountedView, String> restoreWriter(WriterInitContext context, Collection<String> lineages)
            throws IOException {
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        Optional<Lineage.Record> inRedis;
        try {
            inRedis = RedisStartChecks.run(settings, true, "pageviews-writer-" + subtask);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while checking Redis", e);
        }
        OptionalLong restored = context.getRestoredCheckpointId();
        String lineage = Lineage.resolve(restored, lineages, "job-" + context.getJobInfo().getJobId(), inRedis,
                settings.commit().allowRestoreBehindRedis(), settings.hashKey());
        int parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        int copies = Math.max(1, -Math.floorDiv(-context.getTaskInfo().getMaxNumberOfParallelSubtasks(), parallelism));
        return new BufferingIncrementWriter(settings.maxFieldsPerCommit(), settings.commit().maxPagesPerCheckpoint(),
                settings.stats(), lineage, restored.orElse(0), copies, context.metricGroup());
    }

    @Override
    public SimpleVersionedSerializer<String> getWriterStateSerializer() {
        return new LineageSerializer();
    }

    @Override
    public Committer<RedisCommittable> createCommitter(CommitterInitContext context) {
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        return new RedisCommitter(settings, context.metricGroup(), new RedisCommitStore(settings, "pageviews-committer-" + subtask));
    }

    @Override
    public SimpleVersionedSerializer<RedisCommittable> getCommittableSerializer() {
        return new RedisCommittableSerializer();
    }
}
