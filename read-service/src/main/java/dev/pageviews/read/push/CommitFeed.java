package dev.pageviews.read.push;

import dev.pageviews.read.store.CommitRecord;
import dev.pageviews.read.store.StatsStore;
import dev.pageviews.read.store.StoreException;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Follows the job's commits: subscribes to {@code K:commits}, where the commit script publishes each applied commit's
 * sequence number, reads the commit record for it and hands one {@link CommitEvent} to the listener. Commits that land
 * together (or while the subscription was down) are announced once, by the newest: each commit is covered by an event
 * whose id is at least its sequence number. After a lost connection it subscribes again and reads the record at once,
 * so nothing published meanwhile is missed for long.
 *
 * <p>A checkpoint without views moves only the record's watermark, and the job publishes that as
 * {@value #WATERMARK_MESSAGE}{@code <epoch ms>}: the feed reads the record and reports the move as
 * {@link Listener#watermark}, not as a commit, so an idle site's pages show a lag that keeps up with the job
 * while the commit they reflect, and their numbers, stay as they are.
 */
public final class CommitFeed implements AutoCloseable {

    /** How the job publishes a watermark move on the commits channel (the job's {@code IncrementScript}). */
    public static final String WATERMARK_MESSAGE = "watermark ";
    private static final Logger LOG = LoggerFactory.getLogger(CommitFeed.class);
    private static final Duration FIRST_PAUSE = Duration.ofMillis(200);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(5);

    private final UnifiedJedis redis;
    private final StatsStore store;
    private final String channel;
    private final Listener listener;
    private final Thread thread;
    private volatile Subscription subscription;
    private volatile CommitEvent latest = CommitEvent.of(CommitRecord.NONE);
    private volatile boolean closed;

    /** Who is told of each new commit, and of each watermark move between commits. */
    public interface Listener {
        /** A commit with views: {@code event.seq()} is new. */
        void commit(CommitEvent event);

        /** The watermark moved while the commit stayed {@code event.seq()}. */
        void watermark(CommitEvent event);
    }

    public CommitFeed(UnifiedJedis redis, StatsStore store, String channel, Listener listener) {
        this.redis = redis;
        this.store = store;
        this.channel = channel;
        this.listener = listener;
        this.thread = new Thread(this::follow, "commit-feed");
        this.thread.setDaemon(true);
    }

    public CommitFeed start() {
        refresh(); // a stream that opens before the first message still learns the current commit
        thread.start();
        return this;
    }

    /** The newest commit known: what a stream that opens now is told first. */
    public CommitEvent latest() {
        return latest;
    }

    private void follow() {
        Duration pause = FIRST_PAUSE;
        boolean failing = false;
        while (!closed) {
            try {
                subscription = new Subscription(); // one per connection: a broken one keeps its old state
                redis.subscribe(subscription, channel); // returns when unsubscribed
                pause = FIRST_PAUSE;
            } catch (JedisException | StoreException e) {
                if (closed) {
                    return;
                }
                if (!failing) {
                    LOG.warn("The subscription to {} broke ({}); subscribing again, every {} at most, until Redis answers",
                            channel, e.getMessage(), LONGEST_PAUSE);
                    failing = true;
                }
                sleep(pause);
                pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
                continue;
            }
            failing = false;
        }
    }

    /** One subscription (package-private: the unit test hands it messages as Redis would). */
    final class Subscription extends JedisPubSub {
        @Override
        public void onSubscribe(String channel, int subscribedChannels) {
            if (closed) {
                unsubscribe(); // closed while this subscription was being made
                return;
            }
            LOG.info("Following the job's commits on {}", channel);
            refresh(); // commits published while not subscribed
        }

        @Override
        public void onMessage(String channel, String message) {
            boolean watermark = message.startsWith(WATERMARK_MESSAGE);
            long number;
            try {
                number = Long.parseLong(message.substring(watermark ? WATERMARK_MESSAGE.length() : 0).trim());
            } catch (NumberFormatException e) {
                LOG.warn("Ignoring '{}' on {}: the job publishes commit sequence numbers and '{}<epoch ms>' there",
                        message, channel, WATERMARK_MESSAGE);
                return;
            }
            CommitEvent known = latest;
            // a lower seq too: Redis was emptied and the job counts from 1 again
            if (watermark ? !Objects.equals(number, known.watermarkMillis()) : number != known.seq()) {
                refresh();
            }
        }
    }

    /**
     * Reads the commit record and announces it when it is not the one announced last: as a commit when its {@code seq}
     * differs, else as a watermark move when only its watermark does.
     */
    synchronized void refresh() {
        CommitRecord commit;
        try {
            commit = store.commit();
        } catch (StoreException e) {
            LOG.warn("Could not read the commit record: {}", e.getMessage());
            return;
        }
        CommitEvent event = CommitEvent.of(commit);
        CommitEvent before = latest;
        if (event.seq() != before.seq()) {
            latest = event; // a lower seq: Redis was emptied or replaced; streams follow it
            listener.commit(event);
        } else if (!Objects.equals(event.watermarkMillis(), before.watermarkMillis())) {
            latest = event;
            listener.watermark(event);
        }
    }

    private void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            Subscription current = subscription;
            if (current != null && current.isSubscribed()) {
                current.unsubscribe();
            }
        } catch (JedisException e) {
            LOG.debug("Unsubscribing failed; the connection closes with the client", e);
        }
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
