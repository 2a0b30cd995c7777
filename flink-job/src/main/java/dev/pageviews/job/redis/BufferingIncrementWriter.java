package dev.pageviews.job.redis;

import dev.pageviews.job.PageCount;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Sums increments per page between checkpoints and hands them over as committables at each checkpoint.
 * Nothing is written to Redis here: what a failed attempt had summed is read again from Kafka.
 */
final class BufferingIncrementWriter implements CommittingSinkWriter<PageCount, RedisCommittable> {

    private final int maxFieldsPerCommit;
    private Map<String, Long> pending = new HashMap<>();

    BufferingIncrementWriter(int maxFieldsPerCommit, MetricGroup metrics) {
        this.maxFieldsPerCommit = maxFieldsPerCommit;
        metrics.gauge("redisPendingPages", () -> pending.size());
    }

    @Override
    public void write(PageCount increment, Context context) {
        pending.merge(increment.pageUrl(), increment.count(), Long::sum);
    }

    @Override
    public void flush(boolean endOfInput) {
        // increments leave with prepareCommit, as committables
    }

    @Override
    public Collection<RedisCommittable> prepareCommit() {
        if (pending.isEmpty()) {
            return List.of();
        }
        List<RedisCommittable> committables = new ArrayList<>(pending.size() / maxFieldsPerCommit + 1);
        long now = System.currentTimeMillis();
        Map<String, Long> chunk = new LinkedHashMap<>();
        for (Map.Entry<String, Long> entry : pending.entrySet()) {
            chunk.put(entry.getKey(), entry.getValue());
            if (chunk.size() == maxFieldsPerCommit) {
                committables.add(new RedisCommittable(UUID.randomUUID().toString(), now, chunk));
                chunk = new LinkedHashMap<>();
            }
        }
        if (!chunk.isEmpty()) {
            committables.add(new RedisCommittable(UUID.randomUUID().toString(), now, chunk));
        }
        pending = new HashMap<>();
        return committables;
    }

    @Override
    public void close() {
        pending.clear();
    }
}
