package dev.pageviews.job.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.job.PageCount;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/** What the exactly-once writer hands over at each checkpoint, and what it keeps in its state. */
class BufferingIncrementWriterTest {

    private static BufferingIncrementWriter writer(int maxFieldsPerCommit, int maxPagesPerCheckpoint, long restored, int copies) {
        return new BufferingIncrementWriter(maxFieldsPerCommit, maxPagesPerCheckpoint, "job-a", restored, copies,
                new UnregisteredMetricsGroup());
    }

    private static void write(BufferingIncrementWriter writer, String page, long n) {
        writer.write(new PageCount(page, n), null);
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
}
