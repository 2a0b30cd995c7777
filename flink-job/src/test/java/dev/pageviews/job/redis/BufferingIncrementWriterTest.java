package dev.pageviews.job.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.job.count.CountedView;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/** What the exactly-once writer hands over at each checkpoint, and what it keeps in its state. */
class BufferingIncrementWriterTest {

    private static final long T = 1_764_950_400L; // 2025-12-05T16:00:00Z
    private static final RedisSinkSettings.Stats BERLIN = new RedisSinkSettings.Stats(true, ZoneId.of("Europe/Berlin"),
            java.time.Duration.ofDays(2), java.time.Duration.ofDays(90), java.time.Duration.ofDays(730), java.time.Duration.ofDays(90));

    private static BufferingIncrementWriter writer(int maxFieldsPerCommit, int maxPagesPerCheckpoint, long restored, int copies) {
        return writer(maxFieldsPerCommit, maxPagesPerCheckpoint, restored, copies, RedisSinkSettings.Stats.DEFAULTS.off());
    }

    private static BufferingIncrementWriter writer(int maxFieldsPerCommit, int maxPagesPerCheckpoint, long restored, int copies,
            RedisSinkSettings.Stats stats) {
        return new BufferingIncrementWriter(maxFieldsPerCommit, maxPagesPerCheckpoint, stats, "job-a", restored, copies,
                new UnregisteredMetricsGroup());
    }

    private static void write(BufferingIncrementWriter writer, String page, long n) {
        writer.write(new CountedView(page, T, null, 0, n), null);
    }

    private static Map<String, Long> views(List<RedisCommittable> committables) {
        return committables.stream().flatMap(c -> c.increments().entrySet().stream())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, Long::sum));
    }

    @Test
    void sumsPerPageAndStampsTheLineageAndALowerBoundOfTheCheckpoint() {
        BufferingIncrementWriter writer = writer(100, 100, 7, 1);
        write(writer, "/a", 1);
        write(writer, "/a", 2);
        write(writer, "/b", 5);
        List<RedisCommittable> first = new ArrayList<>(writer.prepareCommit());
        assertThat(first).singleElement().satisfies(c -> {
            assertThat(c.increments()).isEqualTo(Map.of("/a", 3L, "/b", 5L));
            assertThat(c.lineage()).isEqualTo("job-a");
            assertThat(c.checkpoint()).as("restored from 7: the next checkpoint is at least 8").isEqualTo(8);
        });
        writer.snapshotState(8);
        assertThat(writer.prepareCommit()).as("nothing new, nothing to commit").isEmpty();
        writer.snapshotState(11); // 9 and 10 were aborted before their barriers reached this writer
        write(writer, "/a", 1);
        assertThat(writer.prepareCommit()).singleElement().satisfies(c -> assertThat(c.checkpoint()).isEqualTo(12));
    }

    @Test
    void splitsLargeSumsIntoCommittablesOfAtMostMaxFields() {
        BufferingIncrementWriter writer = writer(2, 100, 0, 1);
        for (int i = 0; i < 5; i++) {
            write(writer, "/" + i, 1);
        }
        assertThat(writer.prepareCommit()).hasSize(3)
                .allSatisfy(c -> assertThat(c.increments().size()).isLessThanOrEqualTo(2))
                .extracting(RedisCommittable::checkpoint).containsOnly(1L);
    }

    @Test
    void pagesBeyondTheBufferLimitAreSummedAsOtherAndKnownPagesKeepTheirs() {
        BufferingIncrementWriter writer = writer(100, 3, 0, 1);
        write(writer, "/a", 1);
        write(writer, "/b", 1);
        write(writer, "/c", 1);
        write(writer, "/d", 4); // the buffer holds 3 pages: folded
        write(writer, "/a", 2); // known: still its own
        write(writer, "/e", 5);
        assertThat(writer.prepareCommit()).singleElement().satisfies(c -> assertThat(c.increments())
                .isEqualTo(Map.of("/a", 3L, "/b", 1L, "/c", 1L, RedisSinkSettings.OTHER_PAGES, 9L)));
        write(writer, "/d", 1); // a new checkpoint: room again
        assertThat(writer.prepareCommit()).singleElement().satisfies(c -> assertThat(c.increments()).isEqualTo(Map.of("/d", 1L)));
    }

    @Test
    void itsStateHoldsTheLineageOnceForEveryCopyAskedFor() {
        assertThat(writer(100, 100, 0, 32).snapshotState(1)).hasSize(32).containsOnly("job-a");
    }

    @Test
    void aCheckpointWithoutViewsCarriesTheWatermarkOnlyWhenItMovedAndOnlyForTheReadSide() {
        BufferingIncrementWriter writer = writer(100, 100, 0, 1, BERLIN);
        assertThat(writer.prepareCommit()).as("no views, no watermark yet").isEmpty();
        writer.writeWatermark(new Watermark(T * 1000));
        assertThat(writer.prepareCommit()).singleElement().satisfies(c -> {
            assertThat(c.watermarkOnly()).isTrue();
            assertThat(c.watermark()).isEqualTo(T * 1000);
            assertThat(c.increments()).isEmpty();
        });
        assertThat(writer.prepareCommit()).as("the watermark has not moved").isEmpty();
        write(writer, "/a", 1);
        writer.writeWatermark(new Watermark(T * 1000 + 1));
        assertThat(writer.prepareCommit()).singleElement().satisfies(c -> assertThat(c.watermarkOnly()).isFalse());
        assertThat(writer.prepareCommit()).as("the views' committable carried it").isEmpty();

        writer.writeWatermark(Watermark.MAX_WATERMARK); // a stop with drain ends the input
        assertThat(writer.prepareCommit()).as("the end of input is no event time").isEmpty();

        BufferingIncrementWriter off = writer(100, 100, 0, 1);
        off.writeWatermark(new Watermark(T * 1000));
        assertThat(off.prepareCommit()).as("without --stats nobody reads the watermark").isEmpty();
    }

    @Test
    void forTheReadSideSumsEachPagesViewsPerMinuteAndKeepsTheFirstVisitsOfTheLocalDay() {
        BufferingIncrementWriter writer = writer(100, 100, 0, 1, BERLIN);
        int both = CountedView.FIRST_OF_PAGE_DAY | CountedView.FIRST_OF_SITE_DAY;
        writer.write(new CountedView("/a", T + 5, "u1", both, 1), null);
        writer.write(new CountedView("/a", T + 50, "u2", both, 1), null);
        writer.write(new CountedView("/a", T + 70, "u1", 0, 1), null);
        writer.write(new CountedView("/b", T + 70, "u1", CountedView.FIRST_OF_PAGE_DAY, 1), null);
        writer.write(new CountedView("/a", T - 18 * 3600, "u3", both, 1), null); // 23:00 in Berlin the day before
        writer.write(new CountedView("/old", T, null, 0, 4), null); // a window's count of an older build
        writer.writeWatermark(new Watermark(T * 1000));
        writer.writeWatermark(new Watermark(T * 1000 - 5));
        List<RedisCommittable> committables = new ArrayList<>(writer.prepareCommit());
        assertThat(committables).singleElement().satisfies(c -> {
            assertThat(c.increments()).isEqualTo(Map.of("/a", 4L, "/b", 1L, "/old", 4L));
            assertThat(c.minutes()).containsExactlyInAnyOrder(
                    new RedisCommittable.MinuteViews("/a", T, 2), new RedisCommittable.MinuteViews("/a", T + 60, 1),
                    new RedisCommittable.MinuteViews("/a", T - 18 * 3600, 1), new RedisCommittable.MinuteViews("/b", T + 60, 1),
                    new RedisCommittable.MinuteViews("/old", T, 4));
            assertThat(c.visitors()).containsExactlyInAnyOrder(
                    new RedisCommittable.FirstVisits("/a", "2025-12-05", List.of("u1", "u2")),
                    new RedisCommittable.FirstVisits("/a", "2025-12-04", List.of("u3")),
                    new RedisCommittable.FirstVisits("/b", "2025-12-05", List.of("u1")),
                    new RedisCommittable.FirstVisits(null, "2025-12-05", List.of("u1", "u2")),
                    new RedisCommittable.FirstVisits(null, "2025-12-04", List.of("u3")));
            assertThat(c.watermark()).isEqualTo(T * 1000);
        });
    }

    @Test
    void aPageWhoseMinutesDoNotFitIsSplitAndEachPartAddsItsOwnViews() {
        BufferingIncrementWriter writer = writer(10, 100, 0, 1, BERLIN);
        for (int minute = 0; minute < 20; minute++) {
            writer.write(new CountedView("/a", T + minute * 60, "u", 0, minute + 1), null);
        }
        List<RedisCommittable> committables = new ArrayList<>(writer.prepareCommit());
        assertThat(committables).hasSizeGreaterThan(1).allSatisfy(c -> {
            assertThat(c.minutes().size() * 2).isLessThanOrEqualTo(10);
            assertThat(c.increments().get("/a")).isEqualTo(c.minutes().stream().mapToLong(RedisCommittable.MinuteViews::views).sum());
        });
        assertThat(views(committables)).isEqualTo(Map.of("/a", 210L));
    }
}
