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
import redis.clients.jedis.JedisPubSub;

/** Which commits the feed announces: each new one once, and a reset Redis too. */
class CommitFeedTest {

    private long seq;
    private Long watermark;

    private final StatsStore store = new StatsStore() {
        @Override
        public CommitRecord commit() {
            return new CommitRecord(seq, watermark == null ? OptionalLong.of(seq * 1000) : OptionalLong.of(watermark),
                    OptionalLong.empty(), ZoneOffset.UTC,
                    dev.pageviews.read.store.Retention.DEFAULTS);
        }

        @Override
        public CommitRecord read(ReadBatch batch) {
            throw new AssertionError();
        }

        @Override
        public void close() {}
    };

    /** What the feed told its listener, in order: {@code c<seq>} for a commit, {@code w<seq>@<watermark>} for a move. */
    private final List<String> told = new ArrayList<>();
    private final List<CommitEvent> events = new ArrayList<>();
    private final CommitFeed.Listener listener = new CommitFeed.Listener() {
        @Override
        public void commit(CommitEvent event) {
            events.add(event);
            told.add("c" + event.seq());
        }

        @Override
        public void watermark(CommitEvent event) {
            told.add("w" + event.seq() + "@" + event.watermarkMillis());
        }
    };

    @Test
    void eachNewCommitIsAnnouncedOnceWithItsRecord() {
        CommitFeed feed = new CommitFeed(null, store, "{k}:commits", listener);
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

    @Test
    void aWatermarkMoveBetweenCommitsIsAnnouncedAsSuchAndLeavesTheCommitAsItIs() {
        CommitFeed feed = new CommitFeed(null, store, "{k}:commits", listener);
        seq = 4;
        watermark = 10_000L;
        feed.refresh();
        watermark = 12_000L; // a checkpoint without views: the job moved the watermark only
        feed.refresh();
        feed.refresh(); // read again, unchanged: nothing to tell
        watermark = 14_000L;
        seq = 5; // a commit with views, and its watermark
        feed.refresh();
        assertThat(told).containsExactly("c4", "w4@12000", "c5");
        assertThat(feed.latest()).isEqualTo(new CommitEvent(5, 14_000L, null));
    }

    @Test
    void messagesOnTheChannelLeadToAReadOnlyWhenTheySaySomethingNew() {
        int[] reads = {0};
        StatsStore counting = new StatsStore() {
            @Override
            public CommitRecord commit() {
                reads[0]++;
                return store.commit();
            }

            @Override
            public CommitRecord read(ReadBatch batch) {
                throw new AssertionError();
            }

            @Override
            public void close() {}
        };
        CommitFeed feed = new CommitFeed(null, counting, "{k}:commits", listener);
        seq = 4;
        watermark = 10_000L;
        feed.refresh();
        JedisPubSub subscription = feed.new Subscription();
        subscription.onMessage("{k}:commits", "4"); // known
        subscription.onMessage("{k}:commits", "watermark 10000"); // known
        subscription.onMessage("{k}:commits", "nonsense");
        assertThat(reads[0]).isEqualTo(1);
        watermark = 11_000L;
        subscription.onMessage("{k}:commits", "watermark 11000");
        seq = 5;
        subscription.onMessage("{k}:commits", "5");
        assertThat(reads[0]).isEqualTo(3);
        assertThat(told).containsExactly("c4", "w4@11000", "c5");
    }
}
