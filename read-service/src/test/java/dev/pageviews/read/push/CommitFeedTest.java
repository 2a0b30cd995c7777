package dev.pageviews.read.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.read.store.CommitRecord;
import dev.pageviews.read.store.ReadBatch;
import dev.pageviews.read.store.StatsStore;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Which commits the feed announces: each new one once, and a reset Redis too. */
class CommitFeedTest {

    private long seq;

    private final StatsStore store = new StatsStore() {
        @Override
        public CommitRecord commit() {
            return new CommitRecord(seq, OptionalLong.of(seq * 1000), OptionalLong.empty(), ZoneOffset.UTC,
                    dev.pageviews.read.store.Retention.DEFAULTS);
        }

        @Override
        public CommitRecord read(ReadBatch batch) {
            throw new AssertionError();
        }

        @Override
        public void close() {}
    };

    @Test
    void eachNewCommitIsAnnouncedOnceWithItsRecord() {
        List<CommitEvent> events = new ArrayList<>();
        CommitFeed feed = new CommitFeed(null, store, "{k}:commits", events::add);
        feed.refresh();
        assertThat(events).isEmpty(); // nothing committed yet
        seq = 3;
        feed.refresh();
        feed.refresh();
        seq = 2; // Redis emptied and the job started over
        feed.refresh();
        assertThat(events).containsExactly(new CommitEvent(3, 3000L, null), new CommitEvent(2, 2000L, null));
        assertThat(feed.latest().seq()).isEqualTo(2);
    }
}
