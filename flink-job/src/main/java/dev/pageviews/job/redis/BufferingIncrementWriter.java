package dev.pageviews.job.redis;

import dev.pageviews.job.count.CountedView;
import dev.pageviews.job.count.ReportingTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Sums views per page between checkpoints and hands them over as committables at each checkpoint: per page its views
 * and, for the read side, its views per minute and its first visits per day (and the site's first visits), with the
 * newest watermark seen. Nothing is written to Redis here: what a failed attempt had summed is read again from Kafka.
 *
 * <p>At most {@code maxPagesPerCheckpoint} distinct pages are buffered between two checkpoints: views of further
 * pages are summed under {@value RedisSinkSettings#OTHER_PAGES} (metric {@value #FOLDED_METRIC}; their first visits
 * are not kept), so a flood of invented URLs cannot grow the buffer, however long checkpoints take.
 *
 * <p>A committable holds at most {@code maxFieldsPerCommit} minute entries and user ids: each is one script call, so
 * this bounds how long one call may block Redis. A page whose minutes do not fit is split over several committables,
 * each adding to the page the views of its own minutes.
 *
 * <p>Its state is the lineage it belongs to ({@link Lineage}), written as many times as it takes for every subtask to
 * receive a copy after the job is rescaled up to its maximum parallelism (operator list state is split between the
 * new subtasks).
 */
final class BufferingIncrementWriter implements CommittingSinkWriter<CountedView, RedisCommittable>, StatefulSinkWriter<CountedView, String> {

    static final String FOLDED_METRIC = "redisPagesFoldedInWriter";

    /** What one page gathered since the last checkpoint. */
    private static final class Tally {
        long views;
        final Map<Long, long[]> minutes = new HashMap<>();
        final Map<String, List<String>> firsts = new HashMap<>();
    }

    private final int maxFieldsPerCommit;
    private final int maxPagesPerCheckpoint;
    private final String lineage;
    private final List<String> state;
    private final Counter folded;
    private final boolean stats;
    private final ReportingTime time;
    private long lastCheckpoint;
    private long watermark = RedisCommittable.NO_WATERMARK;
    /** The watermark the last committable carried: a checkpoint without views sends one only when it has moved on. */
    private long committedWatermark = RedisCommittable.NO_WATERMARK;
    private Map<String, Tally> pending = new HashMap<>();
    private Map<String, List<String>> siteFirsts = new HashMap<>();

    /**
     * @param lineage the lineage this writer continues or begins
     * @param restoredCheckpoint the checkpoint the job was restored from, 0 when it started without state
     * @param copies how many copies of the lineage each snapshot holds
     */
    BufferingIncrementWriter(int maxFieldsPerCommit, int maxPagesPerCheckpoint, RedisSinkSettings.Stats stats, String lineage,
            long restoredCheckpoint, int copies, MetricGroup metrics) {
        this.maxFieldsPerCommit = maxFieldsPerCommit;
        this.maxPagesPerCheckpoint = maxPagesPerCheckpoint;
        this.stats = stats.enabled();
        this.time = new ReportingTime(stats.zone());
        this.lineage = lineage;
        this.lastCheckpoint = restoredCheckpoint;
        this.state = Collections.nCopies(copies, lineage);
        this.folded = metrics.counter(FOLDED_METRIC);
        metrics.gauge("redisPendingPages", () -> pending.size());
    }

    @Override
    public void write(CountedView view, Context context) {
        String page = view.page();
        if (pending.size() >= maxPagesPerCheckpoint && !pending.containsKey(page)) {
            folded.inc();
            page = RedisSinkSettings.OTHER_PAGES;
        }
        Tally tally = pending.computeIfAbsent(page, p -> new Tally());
        tally.views += view.count();
        if (!stats) {
            return;
        }
        tally.minutes.computeIfAbsent(ReportingTime.minuteStart(view.second()), m -> new long[1])[0] += view.count();
        if (view.firstOfPageDay() && page.equals(view.page())) {
            tally.firsts.computeIfAbsent(time.date(view.second()), d -> new ArrayList<>()).add(view.userId());
        }
        if (view.firstOfSiteDay()) {
            siteFirsts.computeIfAbsent(time.date(view.second()), d -> new ArrayList<>()).add(view.userId());
        }
    }

    @Override
    public void writeWatermark(Watermark watermark) {
        if (watermark.getTimestamp() == Watermark.MAX_WATERMARK.getTimestamp()) {
            // end of input (a stop with --drain, a bounded source): says nothing about the time views were seen up to
            return;
        }
        this.watermark = Math.max(this.watermark, watermark.getTimestamp());
    }

    @Override
    public void flush(boolean endOfInput) {
        // increments leave with prepareCommit, as committables
    }

    @Override
    public Collection<RedisCommittable> prepareCommit() {
        // no checkpoint id is given here; the last one whose barrier passed, plus one, bounds this one's from below
        long checkpoint = lastCheckpoint + 1;
        if (pending.isEmpty() && siteFirsts.isEmpty()) {
            if (!stats || watermark <= committedWatermark) {
                return List.of();
            }
            committedWatermark = watermark;
            return List.of(RedisCommittable.watermarkOnly(UUID.randomUUID().toString(), System.currentTimeMillis(), lineage, checkpoint,
                    watermark));
        }
        committedWatermark = watermark;
        Chunks chunks = new Chunks(checkpoint, System.currentTimeMillis());
        for (Map.Entry<String, Tally> entry : pending.entrySet()) {
            String page = entry.getKey();
            Tally tally = entry.getValue();
            if (!stats) {
                chunks.views(page, tally.views, 1);
                continue;
            }
            for (Map.Entry<Long, long[]> minute : tally.minutes.entrySet()) {
                chunks.minute(page, minute.getKey(), minute.getValue()[0]);
            }
            tally.firsts.forEach((date, users) -> chunks.firsts(page, date, users));
        }
        siteFirsts.forEach((date, users) -> chunks.firsts(null, date, users));
        pending = new HashMap<>();
        siteFirsts = new HashMap<>();
        return chunks.done();
    }

    /** Fills committables of at most {@code maxFieldsPerCommit} entries each. */
    private final class Chunks {
        private final long checkpoint;
        private final long now;
        private final List<RedisCommittable> done = new ArrayList<>();
        private Map<String, Long> increments = new LinkedHashMap<>();
        private List<RedisCommittable.MinuteViews> minutes = new ArrayList<>();
        private List<RedisCommittable.FirstVisits> visitors = new ArrayList<>();
        private int entries;

        Chunks(long checkpoint, long now) {
            this.checkpoint = checkpoint;
            this.now = now;
        }

        void views(String page, long views, int cost) {
            roomFor(cost);
            increments.merge(page, views, Long::sum);
            entries += cost;
        }

        void minute(String page, long minute, long views) {
            roomFor(2);
            increments.merge(page, views, Long::sum);
            minutes.add(new RedisCommittable.MinuteViews(page, minute, views));
            entries += 2;
        }

        void firsts(String page, String date, List<String> users) {
            for (int from = 0; from < users.size(); ) {
                roomFor(2);
                int to = Math.min(users.size(), from + Math.max(1, maxFieldsPerCommit - entries - 1));
                if (page != null) {
                    increments.putIfAbsent(page, 0L); // the page's first visits go where its number is known
                }
                visitors.add(new RedisCommittable.FirstVisits(page, date, List.copyOf(users.subList(from, to))));
                entries += 1 + (to - from);
                from = to;
            }
        }

        private void roomFor(int cost) {
            if (entries > 0 && entries + cost > maxFieldsPerCommit) {
                flush();
            }
        }

        private void flush() {
            if (!increments.isEmpty() || !visitors.isEmpty()) {
                done.add(new RedisCommittable(UUID.randomUUID().toString(), now, increments, lineage, checkpoint, watermark,
                        minutes, visitors));
            }
            increments = new LinkedHashMap<>();
            minutes = new ArrayList<>();
            visitors = new ArrayList<>();
            entries = 0;
        }

        List<RedisCommittable> done() {
            flush();
            return done;
        }
    }

    @Override
    public List<String> snapshotState(long checkpointId) {
        lastCheckpoint = checkpointId;
        return state;
    }

    @Override
    public void close() {
        pending.clear();
        siteFirsts.clear();
    }
}
