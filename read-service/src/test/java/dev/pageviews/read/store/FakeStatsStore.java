package dev.pageviews.read.store;

import java.time.Clock;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link StatsStore} over a {@link LayoutFixture}'s contents in memory, for unit tests: keys expire by the given
 * clock, and a HyperLogLog is its exact set (so an estimate here is the true distinct count). {@link #moveDuringReads}
 * makes the next reads see a newer commit, as a commit landing mid-query would.
 */
public final class FakeStatsStore implements StatsStore {

    private final LayoutFixture fixture;
    private final Clock clock;
    private long seq = 1;
    private Long watermark;
    private int movesLeft;
    private int reads;
    private double estimateFactor = 1;

    public FakeStatsStore(LayoutFixture fixture, Clock clock) {
        this.fixture = fixture;
        this.clock = clock;
    }

    public FakeStatsStore watermark(Long millis) {
        this.watermark = millis;
        return this;
    }

    /** The next {@code times} batch reads each find that a commit landed while they read. */
    public FakeStatsStore moveDuringReads(int times) {
        this.movesLeft = times;
        return this;
    }

    /** Makes every estimate {@code factor} times the true distinct count, as a HyperLogLog may be off. */
    public FakeStatsStore estimatesOffBy(double factor) {
        this.estimateFactor = factor;
        return this;
    }

    public int reads() {
        return reads;
    }

    public long seq() {
        return seq;
    }

    @Override
    public CommitRecord commit() {
        return CommitRecord.of(fixture.layout().meta(), fixture.meta(seq, watermark, clock.millis()));
    }

    @Override
    public CommitRecord read(ReadBatch batch) {
        reads++;
        if (movesLeft > 0) {
            movesLeft--;
            seq++; // a commit landed: the caller must not mix it with what it read before
        }
        long now = clock.millis() / 1000;
        LayoutFixture.Contents contents = fixture.contents(now);
        Layout layout = fixture.layout();
        for (ReadBatch.Read read : batch.reads()) {
            if (read instanceof ReadBatch.Total total) {
                total.out().set(zset(contents, layout.views(total.bucket()), now).getOrDefault(Layout.TOTAL, 0L));
            } else if (read instanceof ReadBatch.Pages pages) {
                Map<String, Long> sum = new LinkedHashMap<>();
                for (Bucket b : pages.buckets()) {
                    zset(contents, layout.views(b), now).forEach((m, v) -> sum.merge(m, v, Long::sum));
                }
                sum.remove(Layout.TOTAL);
                pages.out().set(sum);
            } else if (read instanceof ReadBatch.DayVisitors day) {
                Map<String, Long> all = zset(contents, layout.dayVisitors(day.date()), now);
                if (day.members() == null) {
                    day.out().set(all);
                } else {
                    Map<String, Long> some = new LinkedHashMap<>();
                    day.members().forEach(m -> some.put(m, all.getOrDefault(m, 0L)));
                    day.out().set(some);
                }
            } else if (read instanceof ReadBatch.Estimate estimate) {
                Set<String> union = new LinkedHashSet<>();
                for (LocalDate date : estimate.days()) {
                    List<String> keys = estimate.pages().isEmpty() ? List.of(layout.visitorEstimate(date))
                            : estimate.pages().stream().map(p -> layout.visitorEstimate(date, p)).toList();
                    for (String key : keys) {
                        if (alive(contents, key, now)) {
                            union.addAll(contents.estimates().getOrDefault(key, Set.of()));
                        }
                    }
                }
                estimate.out().set(Math.round(union.size() * estimateFactor));
            } else {
                ReadBatch.Exists exists = (ReadBatch.Exists) read;
                exists.out().set(!zset(contents, layout.views(exists.bucket()), now).isEmpty());
            }
        }
        return commit();
    }

    private static Map<String, Long> zset(LayoutFixture.Contents contents, String key, long now) {
        return alive(contents, key, now) ? contents.sortedSets().getOrDefault(key, Map.of()) : Map.of();
    }

    private static boolean alive(LayoutFixture.Contents contents, String key, long now) {
        Long until = contents.expiry().get(key);
        return until == null || until > now;
    }

    @Override
    public void close() {}
}
