package dev.pageviews.job.redis;

import java.io.IOException;
import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Applies committables after their checkpoint completed. Each request is handled on its own: applied now,
 * already applied before (a re-commit after recovery: success), a permanent Redis error (the job fails
 * with the reason), or Redis unreachable (retried with backoff, then the job restarts and commits again).
 */
final class RedisCommitter implements Committer<RedisCommittable> {

    private static final Logger LOG = LoggerFactory.getLogger(RedisCommitter.class);

    private final RedisSinkSettings settings;
    private final int subtask;
    private final Counter applied;
    private final Counter duplicates;
    private final Histogram latencyMillis;
    private final Histogram batchPages;
    private UnifiedJedis redis;

    RedisCommitter(RedisSinkSettings settings, MetricGroup metrics, int subtask) {
        this.settings = settings;
        this.subtask = subtask;
        this.applied = metrics.counter("redisCommitsApplied");
        this.duplicates = metrics.counter("redisCommitsAlreadyApplied");
        this.latencyMillis = metrics.histogram("redisCommitLatencyMs", new DescriptiveStatisticsHistogram(1000));
        this.batchPages = metrics.histogram("redisCommitBatchPages", new DescriptiveStatisticsHistogram(1000));
    }

    @Override
    public void commit(Collection<CommitRequest<RedisCommittable>> requests) throws IOException, InterruptedException {
        for (CommitRequest<RedisCommittable> request : requests) {
            RedisCommittable committable = request.getCommittable();
            long started = System.nanoTime();
            try {
                boolean appliedNow = Retrying.call("commit " + committable.id(), settings.redis().toString(),
                        () -> IncrementScript.apply(client(), settings, committable));
                latencyMillis.update((System.nanoTime() - started) / 1_000_000);
                batchPages.update(committable.increments().size());
                if (appliedNow) {
                    applied.inc();
                } else {
                    duplicates.inc();
                    LOG.info("Commit {} ({} views) was applied before; skipped", committable.id(), committable.totalViews());
                    request.signalAlreadyCommitted();
                }
            } catch (JedisDataException e) {
                request.signalFailedWithKnownReason(new IOException("Redis refused commit " + committable.id()
                        + " to hash '" + settings.hashKey() + "': " + e.getMessage()
                        + " (is the key a hash of integer counts?)", e));
            } catch (IOException e) {
                closeClient(); // reconnect from scratch after the restart
                throw e;
            }
        }
    }

    private UnifiedJedis client() {
        if (redis == null) {
            redis = RedisConnections.open(settings, "pageviews-committer-" + subtask);
        }
        return redis;
    }

    private void closeClient() {
        if (redis != null) {
            try {
                redis.close();
            } catch (RuntimeException e) {
                LOG.debug("closing Redis client", e);
            }
            redis = null;
        }
    }

    @Override
    public void close() {
        closeClient();
    }
}
