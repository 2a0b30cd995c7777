package dev.pageviews.job.dedup;

import dev.pageviews.event.PageView;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.BooleanSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a view with a client's event id through the first time its id is seen within the window, and drops
 * (and counts, metric {@value #DUPLICATES_METRIC}) every later copy. Views without a client id always pass.
 *
 * <p>Runs on a stream keyed by {@link EventIdBucket}: each of the {@link DedupKey#BUCKETS} buckets remembers the ids
 * that fall in it until {@code window} after the first copy was counted, by the clock of the TaskManager; a copy
 * never extends it. How the ids are kept depends on the state backend, because what is cheap differs:
 * <ul>
 *   <li>on the heap (hashmap backend), one {@link RememberedIds} table per bucket (state {@value #TABLES_STATE}):
 *       a few primitive arrays instead of several objects per id, for the garbage collector and for the full
 *       snapshot the heap backend writes at every checkpoint;
 *   <li>elsewhere (RocksDB), one map entry per id with Flink's state TTL (state {@value #ENTRIES_STATE}), so an
 *       access reads and writes one id, and incremental checkpoints upload only what changed.
 * </ul>
 * A savepoint taken on one backend and restored on the other is converted when the job opens; the converted ids
 * are remembered for a whole window from then (a little longer than asked, never shorter).
 *
 * <p>On the heap a bucket remembers at most {@code maxIdsPerBucket} ids: when it is full, it forgets those it counted
 * longest ago, before their window has passed (metric {@value #FORGOTTEN_METRIC}, a warning at most once a minute),
 * and a copy of a forgotten id is counted again. Which bucket an id falls in is public, so without the limit one
 * client could pile ids into one table until it no longer fits in memory. RocksDB keeps an entry per id, so a full
 * bucket costs it disk only, and it has no limit.
 *
 * <p>The state is checkpointed with the offsets and the Redis increments, so the decision to count a copy or not is
 * made once, whatever fails, and travels with its key group when the job is restored at another parallelism.
 */
public final class FirstPerEventId extends AbstractStreamOperator<PageView> implements OneInputStreamOperator<PageView, PageView> {

    private static final long serialVersionUID = 1L;
    // the base class's LOG would name AbstractStreamOperator in the log
    private static final Logger LOGGER = LoggerFactory.getLogger(FirstPerEventId.class);

    public static final String DUPLICATES_METRIC = "duplicates";
    public static final String FORGOTTEN_METRIC = "dedupIdsForgotten";
    private static final long WARN_EVERY_NANOS = 60_000_000_000L;
    static final String TABLES_STATE = "remembered-event-ids";
    static final String ENTRIES_STATE = "counted-event-ids";

    private final Duration window;
    private final int maxIdsPerBucket;
    private transient Memory memory;
    private transient Counter duplicates;
    private transient Counter forgotten;
    private transient long lastWarnedNanos;

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
        lastWarnedNanos = System.nanoTime() - WARN_EVERY_NANOS;
        memory = getKeyedStateBackend() instanceof HeapKeyedStateBackend ? new TablesOnHeap() : new EntriesPerId();
        memory.takeOverIdsOfOtherBackend();
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

    /** Where the counted ids of the current bucket are remembered. */
    private interface Memory {
        /** Whether {@code id} is new within the window (and from now on remembered). */
        boolean firstWithinWindow(DedupKey id) throws Exception;

        /** Remembers the ids a snapshot of the other layout holds, for a window from now, and clears that state. */
        void takeOverIdsOfOtherBackend() throws Exception;
    }

    private final class TablesOnHeap implements Memory {
        private final ValueState<RememberedIds> tables = tablesState();
        private final int span = RememberedIds.span(window.toMillis());

        @Override
        public boolean firstWithinWindow(DedupKey id) throws Exception {
            long now = getProcessingTimeService().getCurrentProcessingTime();
            RememberedIds ids = tables.value();
            if (ids == null) {
                ids = new RememberedIds();
                tables.update(ids);
            } // otherwise changed in place: the heap backend hands out a copy when a running checkpoint holds the table
            boolean isNew = ids.rememberIfNew(id, RememberedIds.second(now), span, maxIdsPerBucket);
            if (isNew) {
                int dropped = ids.takeForgotten();
                if (dropped > 0) {
                    forgot(dropped);
                }
            }
            return isNew;
        }

        private void forgot(int ids) {
            forgotten.inc(ids);
            long nanos = System.nanoTime();
            if (nanos - lastWarnedNanos >= WARN_EVERY_NANOS) {
                lastWarnedNanos = nanos;
                LOGGER.warn("Bucket {} of the event ids held {} ids (--dedup-max-ids-per-bucket) and forgot the {} counted "
                        + "longest ago, before their {} window passed: a copy of one of them is counted again (metric {}; "
                        + "this log at most once a minute). A client is sending many ids that fall in one bucket, or the "
                        + "limit is too low for the traffic.", getCurrentKey(), maxIdsPerBucket, ids, window, FORGOTTEN_METRIC);
            }
        }

        @Override
        public void takeOverIdsOfOtherBackend() throws Exception {
            List<Integer> buckets = bucketsOf(ENTRIES_STATE);
            if (buckets.isEmpty()) {
                return;
            }
            // read once and cleared: no cleanup while reading (the heap's incremental one trips over the clearing)
            MapState<DedupKey, Boolean> entries = entriesState(false);
            long ids = 0;
            for (Integer bucket : buckets) {
                setCurrentKey(bucket);
                for (DedupKey id : entries.keys()) {
                    firstWithinWindow(id);
                    ids++;
                }
                entries.clear();
            }
            LOGGER.info("Took over {} remembered event ids in {} buckets from a snapshot of another state backend; "
                    + "they are remembered for {} from now", ids, buckets.size(), window);
        }
    }

    private final class EntriesPerId implements Memory {
        private final MapState<DedupKey, Boolean> entries = entriesState(true);

        @Override
        public boolean firstWithinWindow(DedupKey id) throws Exception {
            if (entries.contains(id)) {
                return false;
            }
            entries.put(id, Boolean.TRUE);
            return true;
        }

        @Override
        public void takeOverIdsOfOtherBackend() throws Exception {
            List<Integer> buckets = bucketsOf(TABLES_STATE);
            if (buckets.isEmpty()) {
                return;
            }
            ValueState<RememberedIds> tables = tablesState();
            int now = RememberedIds.second(getProcessingTimeService().getCurrentProcessingTime());
            int span = RememberedIds.span(window.toMillis());
            long[] ids = {0};
            for (Integer bucket : buckets) {
                setCurrentKey(bucket);
                RememberedIds table = tables.value();
                if (table != null) {
                    table.forEach((id, first) -> {
                        if (RememberedIds.remembered(first, now, span)) {
                            entries.put(id, Boolean.TRUE);
                            ids[0]++;
                        }
                    });
                }
                tables.clear();
            }
            LOGGER.info("Took over {} remembered event ids in {} buckets from a snapshot of the heap state backend; "
                    + "they are remembered for {} from now", ids[0], buckets.size(), window);
        }
    }

    private ValueState<RememberedIds> tablesState() {
        try {
            return getPartitionedState(new ValueStateDescriptor<>(TABLES_STATE, RememberedIdsSerializer.INSTANCE));
        } catch (Exception e) {
            throw new IllegalStateException("cannot open the dedup state " + TABLES_STATE, e);
        }
    }

    private MapState<DedupKey, Boolean> entriesState(boolean cleanupInBackground) {
        MapStateDescriptor<DedupKey, Boolean> descriptor =
                new MapStateDescriptor<>(ENTRIES_STATE, DedupKeySerializer.INSTANCE, BooleanSerializer.INSTANCE);
        StateTtlConfig.Builder ttl = StateTtlConfig.newBuilder(window)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupFullSnapshot(); // a full snapshot (savepoints) leaves expired ids out
        if (!cleanupInBackground) {
            ttl.disableCleanupInBackground(); // otherwise the default: RocksDB's compaction filter drops expired ids
        }
        descriptor.enableTimeToLive(ttl.build());
        try {
            return getPartitionedState(descriptor);
        } catch (Exception e) {
            throw new IllegalStateException("cannot open the dedup state " + ENTRIES_STATE, e);
        }
    }

    /** The buckets of this subtask that hold state {@code name} (restored from a snapshot). */
    private List<Integer> bucketsOf(String name) {
        try (Stream<Integer> keys = this.<Integer>getKeyedStateBackend().getKeys(name, VoidNamespace.INSTANCE)) {
            return keys.toList();
        }
    }
}
