package dev.pageviews.job.redis;

import dev.pageviews.job.count.CountedView;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import redis.clients.jedis.UnifiedJedis;

/**
 * Sums increments and writes them with the commit script (without a marker) whenever a watermark passes
 * (a window operator emits all of a firing's results before it forwards the watermark), when the buffer is
 * full, and at every checkpoint (so nothing before a checkpoint is lost).
 */
final class FlushingIncrementWriter implements SinkWriter<CountedView> {

    private final RedisSinkSettings settings;
    private final int subtask;
    private final Counter flushes;
    private final Histogram latencyMillis;
    private final Histogram batchPages;
    private final Counter pagesOverBudget;
    private final Counter viewsOverBudget;
    private final Map<String, Long> pending = new HashMap<>();
    private UnifiedJedis redis;

    FlushingIncrementWriter(RedisSinkSettings settings, MetricGroup metrics, int subtask) {
        this.settings = settings;
        this.subtask = subtask;
        this.flushes = metrics.counter("redisFlushes");
        this.latencyMillis = metrics.histogram("redisCommitLatencyMs", new DescriptiveStatisticsHistogram(1000));
        this.batchPages = metrics.histogram("redisCommitBatchPages", new DescriptiveStatisticsHistogram(1000));
        this.pagesOverBudget = metrics.counter("redisPagesOverBudget");
        this.viewsOverBudget = metrics.counter("redisViewsOverBudget");
    }

    @Override
    public void write(CountedView view, Context context) throws IOException, InterruptedException {
        pending.merge(view.page(), view.count(), Long::sum);
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
        }, this::closeClient);
        latencyMillis.update((System.nanoTime() - started) / 1_000_000);
        batchPages.update(pages);
        flushes.inc();
    }

    /**
     * Adds the pending increments with the commit script, without a marker ({@link IncrementScript#add}): within the
     * page budget, each call all or nothing, so after a refusal exactly what was not added stays pending.
     */
    private void sendPending() {
        Map<String, Long> chunk = new HashMap<>();
        for (Map.Entry<String, Long> entry : pending.entrySet()) {
            chunk.put(entry.getKey(), entry.getValue());
            if (chunk.size() == settings.maxFieldsPerCommit()) {
                send(chunk);
                chunk = new HashMap<>();
            }
        }
        if (!chunk.isEmpty()) {
            send(chunk);
        }
    }

    private void send(Map<String, Long> chunk) {
        IncrementScript.Outcome outcome = IncrementScript.add(client(), settings, chunk);
        chunk.keySet().forEach(pending::remove);
        pagesOverBudget.inc(outcome.pagesOverBudget());
        viewsOverBudget.inc(outcome.viewsOverBudget());
    }

    private UnifiedJedis client() {
        if (redis == null) {
            redis = RedisConnections.open(settings, "pageviews-writer-" + subtask);
        }
        return redis;
    }

    private void closeClient() {
        if (redis != null) {
            redis.close();
            redis = null;
        }
    }

    @Override
    public void close() {
        closeClient();
    }
}
