package dev.pageviews.job.redis;

import dev.pageviews.job.PageCount;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Sums increments per page between checkpoints and hands them over as committables at each checkpoint.
 * Nothing is written to Redis here: what a failed attempt had summed is read again from Kafka.
 *
 * <p>At most {@code maxPagesPerCheckpoint} distinct pages are buffered between two checkpoints: views of further
 * pages are summed under {@value RedisSinkSettings#OTHER_PAGES} (metric {@value #FOLDED_METRIC}), so a flood of
 * invented URLs cannot grow the buffer, however long checkpoints take.
 *
 * <p>Its state is the lineage it belongs to ({@link Lineage}), written as many times as it takes for every subtask to
 * receive a copy after the job is rescaled up to its maximum parallelism (operator list state is split between the
 * new subtasks).
 */
final class BufferingIncrementWriter implements CommittingSinkWriter<PageCount, RedisCommittable>, StatefulSinkWriter<PageCount, String> {

    static final String FOLDED_METRIC = "redisPagesFoldedInWriter";

    private final int maxFieldsPerCommit;
    private final int maxPagesPerCheckpoint;
    private final String lineage;
    private final List<String> state;
    private final Counter folded;
    private long lastCheckpoint;
    private Map<String, Long> pending = new HashMap<>();

    /**
     * @param lineage the lineage this writer continues or begins
     * @param restoredCheckpoint the checkpoint the job was restored from, 0 when it started without state
     * @param copies how many copies of the lineage each snapshot holds
     */
    BufferingIncrementWriter(int maxFieldsPerCommit, int maxPagesPerCheckpoint, String lineage, long restoredCheckpoint,
            int copies, MetricGroup metrics) {
        this.maxFieldsPerCommit = maxFieldsPerCommit;
        this.maxPagesPerCheckpoint = maxPagesPerCheckpoint;
        this.lineage = lineage;
        this.lastCheckpoint = restoredCheckpoint;
        this.state = Collections.nCopies(copies, lineage);
        this.folded = metrics.counter(FOLDED_METRIC);
        metrics.gauge("redisPendingPages", () -> pending.size());
    }

    @Override
    public void write(PageCount increment, Context context) {
        String page = increment.pageUrl();
        if (pending.size() >= maxPagesPerCheckpoint && !pending.containsKey(page)) {
            folded.inc();
            page = RedisSinkSettings.OTHER_PAGES;
        }
        pending.merge(page, increment.count(), Long::sum);
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
        // no checkpoint id is given here; the last one whose barrier passed, plus one, bounds this one's from below
        long checkpoint = lastCheckpoint + 1;
        List<RedisCommittable> committables = new ArrayList<>(pending.size() / maxFieldsPerCommit + 1);
        long now = System.currentTimeMillis();
        Map<String, Long> chunk = new LinkedHashMap<>();
        for (Map.Entry<String, Long> entry : pending.entrySet()) {
            chunk.put(entry.getKey(), entry.getValue());
            if (chunk.size() == maxFieldsPerCommit) {
                committables.add(new RedisCommittable(UUID.randomUUID().toString(), now, chunk, lineage, checkpoint));
                chunk = new LinkedHashMap<>();
            }
        }
        if (!chunk.isEmpty()) {
            committables.add(new RedisCommittable(UUID.randomUUID().toString(), now, chunk, lineage, checkpoint));
        }
        pending = new HashMap<>();
        return committables;
    }

    @Override
    public List<String> snapshotState(long checkpointId) {
        lastCheckpoint = checkpointId;
        return state;
    }

    @Override
    public void close() {
        pending.clear();
    }
}
