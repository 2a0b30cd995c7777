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
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;

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
    private final Map<String, Long> pending = new HashMap<>();
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
        int pages = pending.size();
        long started = System.nanoTime();
        Retrying.call("Flush of " + pages + " pages to hash '" + settings.hashKey() + "'", settings, () -> {
            sendPending();
            return null;
        });
        latencyMillis.update((System.nanoTime() - started) / 1_000_000);
        batchPages.update(pages);
        flushes.inc();
    }

    /**
     * Sends every pending increment in one pipelined round trip and keeps pending only those Redis refused. A
     * pipeline reports errors per command, not as a whole: an increment refused (OOM, a non-integer field) must
     * stay pending and be retried, while the ones applied must not be sent again.
     */
    private void sendPending() {
        Map<String, Response<Long>> replies = new HashMap<>(pending.size() * 2);
        try (AbstractPipeline pipeline = client().pipelined()) {
            pending.forEach((page, n) -> replies.put(page, pipeline.hincrBy(settings.hashKey(), page, n)));
            pipeline.sync();
        }
        JedisDataException firstRefusal = null;
        for (Map.Entry<String, Response<Long>> reply : replies.entrySet()) {
            try {
                reply.getValue().get();
                pending.remove(reply.getKey());
            } catch (JedisDataException refused) {
                firstRefusal = firstRefusal == null ? refused : firstRefusal;
            }
        }
        if (firstRefusal != null) {
            throw firstRefusal;
        }
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
