package dev.pageviews.job.dedup;

import dev.pageviews.event.PageView;
import java.time.Duration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Lets a view with a client's event id through the first time its id is seen within the window, and drops
 * (and counts, metric {@value #DUPLICATES_METRIC}) every later copy. Views without a client id always pass.
 *
 * <p>Runs on a stream keyed by {@link EventIdBucket}: each of the {@link DedupKey#BUCKETS} buckets remembers the ids
 * that fall in it until {@code window} after the first copy was counted, by the clock of the TaskManager; a copy
 * never extends it ({@link RememberedPerBucket}: on the heap a compact table per bucket, state {@value #TABLES_STATE};
 * with RocksDB an entry per id, state {@value #ENTRIES_STATE}).
 *
 * <p>On the heap a bucket remembers at most {@code maxIdsPerBucket} ids: when it is full, it forgets those it counted
 * longest ago, before their window has passed (metric {@value #FORGOTTEN_METRIC}, a warning at most once a minute),
 * and a copy of a forgotten id is counted again. Which bucket an id falls in is public, so without the limit one
 * client could pile ids into one table until it no longer fits in memory.
 *
 * <p>The state is checkpointed with the offsets and the Redis increments, so the decision to count a copy or not is
 * made once, whatever fails, and travels with its key group when the job is restored at another parallelism.
 */
public final class FirstPerEventId extends AbstractStreamOperator<PageView> implements OneInputStreamOperator<PageView, PageView> {

    private static final long serialVersionUID = 1L;

    public static final String DUPLICATES_METRIC = "duplicates";
    public static final String FORGOTTEN_METRIC = "dedupIdsForgotten";
    static final String TABLES_STATE = "remembered-event-ids";
    static final String ENTRIES_STATE = "counted-event-ids";

    private final Duration window;
    private final int maxIdsPerBucket;
    private transient RememberedPerBucket memory;
    private transient Counter duplicates;
    private transient Counter forgotten;

    public FirstPerEventId(Duration window, int maxIdsPerBucket) {
        if (window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("the dedup window must be longer than 0, got " + window);
        }
        if (maxIdsPerBucket < 1) {
            throw new IllegalArgumentException("a bucket must hold at least one id, got " + maxIdsPerBucket);
        }
        this.window = window;
        this.maxIdsPerBucket = maxIdsPerBucket;
    }

    @Override
    public void open() throws Exception {
        super.open();
        duplicates = getMetricGroup().counter(DUPLICATES_METRIC);
        forgotten = getMetricGroup().counter(FORGOTTEN_METRIC);
        memory = new RememberedPerBucket(this, TABLES_STATE, ENTRIES_STATE, window, maxIdsPerBucket, new RememberedPerBucket.Forgetting(
                "event ids", "--dedup-max-ids-per-bucket", "a copy of one of them is counted again", FORGOTTEN_METRIC), forgotten);
    }

    @Override
    public void processElement(StreamRecord<PageView> element) throws Exception {
        PageView view = element.getValue();
        if (!view.eventIdFromClient() || memory.firstWithinWindow(DedupKey.of(view.eventId()))) {
            output.collect(element);
        } else {
            duplicates.inc();
        }
    }
}
