package dev.pageviews.job.redis;

import dev.pageviews.job.count.CountedView;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Adds page counts to a Redis hash as soon as windows fire, for the lowest latency. At least once: after a
 * failure, increments flushed since the last checkpoint are applied again.
 */
public final class AtLeastOnceRedisSink implements Sink<CountedView> {

    private static final long serialVersionUID = 1L;

    private final RedisSinkSettings settings;

    public AtLeastOnceRedisSink(RedisSinkSettings settings) {
        this.settings = settings;
    }

    @Override
    public SinkWriter<CountedView> createWriter(WriterInitContext context) throws java.io.IOException {
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        try {
            RedisStartChecks.run(settings, false, "pageviews-writer-" + subtask);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.IOException("interrupted while checking Redis", e);
        }
        return new FlushingIncrementWriter(settings, context.metricGroup(), subtask);
    }
}
