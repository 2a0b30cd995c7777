package dev.pageviews.job.redis;

import dev.pageviews.job.PageCount;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Adds page counts to a Redis hash exactly once. Writers sum increments per checkpoint; at the checkpoint
 * they become committables, stored in the checkpoint; once it completes, the committer applies each with
 * one idempotent Lua call ({@link IncrementScript}). A recovery re-commits what the restored checkpoint
 * holds; commits already applied are recognised by their marker and skipped.
 */
public final class ExactlyOnceRedisSink implements Sink<PageCount>, SupportsCommitter<RedisCommittable> {

    private static final long serialVersionUID = 1L;

    private final RedisSinkSettings settings;

    public ExactlyOnceRedisSink(RedisSinkSettings settings) {
        this.settings = settings;
    }

    @Override
    public SinkWriter<PageCount> createWriter(WriterInitContext context) {
        return new BufferingIncrementWriter(settings.maxFieldsPerCommit(), context.metricGroup());
    }

    @Override
    public Committer<RedisCommittable> createCommitter(CommitterInitContext context) {
        return new RedisCommitter(settings, context.metricGroup(), context.getTaskInfo().getIndexOfThisSubtask());
    }

    @Override
    public SimpleVersionedSerializer<RedisCommittable> getCommittableSerializer() {
        return new RedisCommittableSerializer();
    }
}
