package dev.pageviews.job.redis;

import dev.pageviews.job.PageCount;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.UnifiedJedis;

/**
 * Sums increments and writes them with one pipelined round trip of HINCRBYs whenever a watermark passes
 * (a window operator emits all of a firing's results before it forwards the watermark), when the buffer is
 * full, and at every checkpoint (so nothing before a checkpoint is lost).
 */
final class FlushingIncrementWriter implements SinkWriter<PageCount> {

    private final RedisSinkSettings settings;
    private final int subtask;
    private final Counter flushes;
    private final Histogram latencyMillis;
    private final Histogram batchPages;
    private Map<String, Long> pending = new HashMap<>();
    private UnifiedJedis redis;

    FlushingIncrementWriter(RedisSinkSettings settings, MetricGroup metrics, int subtask) {
        this.settings = settings;
        this.subtask = subtask;
        this.flushes = metrics.counter("redisFlushes");
        this.latencyMillis = metrics.histogram("redisCommitLatencyMs", new DescriptiveStatisticsHistogram(1000));
        this.batchPages = metrics.histogram("redisCommitBatchPages", new DescriptiveStatisticsHistogram(1000));
    }

    @Override
    public void write(PageCount increment, Context context) throws IOException, InterruptedException {
        pending.merge(increment.pageUrl(), increment.count(), Long::sum);
        if (pending.size() >= settings.maxFieldsPerCommit()) {
            flushToRedis();
        }
    }

    @Override
    public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
        flushToRedis();
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        flushToRedis();
    }

    private void flushToRedis() throws IOException, InterruptedException {
        if (pending.isEmpty()) {
            return;
        }
        Map<String, Long> batch = pending;
        long started = System.nanoTime();
        Retrying.call("flush of " + batch.size() + " pages", settings.redis().toString(), () -> {
            try (AbstractPipeline pipeline = client().pipelined()) {
                batch.forEach((page, n) -> pipeline.hincrBy(settings.hashKey(), page, n));
                pipeline.sync();
            }
            return null;
        });
        latencyMillis.update((System.nanoTime() - started) / 1_000_000);
        batchPages.update(batch.size());
        flushes.inc();
        pending = new HashMap<>();
    }

    private UnifiedJedis client() {
        if (redis == null) {
            redis = RedisConnections.open(settings, "pageviews-writer-" + subtask);
        }
        return redis;
    }

    @Override
    public void close() {
        if (redis != null) {
            redis.close();
            redis = null;
        }
    }
}
