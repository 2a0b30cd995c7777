package dev.pageviews.job.dedup;

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
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys ({@link DedupKey}) an operator keyed by bucket has seen, each remembered until {@code window} after it was
 * first seen, by the clock of the TaskManager; seeing it again never extends that. How they are kept depends on the
 * state backend, because what is cheap differs:
 * <ul>
 *   <li>on the heap (hashmap backend), one {@link RememberedIds} table per bucket: a few primitive arrays instead of
 *       several objects per key, for the garbage collector and for the full snapshot the heap backend writes at every
 *       checkpoint; expired keys are dropped as the table is rebuilt, so no cleanup has to visit the state;
 *   <li>elsewhere (RocksDB), one map entry per key with Flink's state TTL, so an access reads and writes one key,
 *       incremental checkpoints upload only what changed, and compaction drops expired keys.
 * </ul>
 * The layout is chosen from the backend itself ({@code instanceof HeapKeyedStateBackend}), not from a setting: a table
 * is changed in place, which reaches a checkpoint only when the backend holds the object itself. A heap backend wrapped
 * by the changelog backend logs only the updates it is given, so it is not one: it gets an entry per key, as RocksDB
 * does.
 *
 * <p>A savepoint taken on one backend and restored on the other is converted when the operator opens; the converted keys
 * are remembered for a whole window from then (a little longer than asked, never shorter).
 *
 * <p>On the heap a bucket remembers at most {@code maxPerBucket} keys: when it is full, it forgets those it saw
 * longest ago, before their window has passed, counts them and warns (at most once a minute). RocksDB keeps an entry per key, so a
 * full bucket costs it disk only, and it has no limit.
 */
public final class RememberedPerBucket {

    private static final Logger LOG = LoggerFactory.getLogger(RememberedPerBucket.class);
    private static final long WARN_EVERY_NANOS = 60_000_000_000L;

    private final AbstractStreamOperator<?> operator;
    private final String tablesState;
    private final String entriesState;
    private final Duration window;
    private final int maxPerBucket;
    private final Forgetting forgetting;
    private final Counter forgotten;
    private final Memory memory;
    private long lastWarnedNanos;

    /**
     * What a full bucket's forgetting is called: {@code what} the keys are ("event ids"), the setting that limits a
     * bucket, what a forgotten key means for the counts, and the metric that counts them.
     */
    public record Forgetting(String what, String setting, String consequence, String metric) {}

    /**
     * Opens the state of {@code operator} (called from its {@code open}).
     *
     * @param tablesState the name of the heap layout's state (a table per bucket)
     * @param entriesState the name of the other layout's state (an entry per key)
     * @param forgotten counts the keys a full bucket forgot before their window passed; a warning says so at most once
     *     a minute
     */
    public RememberedPerBucket(AbstractStreamOperator<?> operator, String tablesState, String entriesState, Duration window,
            int maxPerBucket, Forgetting forgetting, Counter forgotten) throws Exception {
        this.operator = operator;
        this.tablesState = tablesState;
        this.entriesState = entriesState;
        this.window = window;
        this.maxPerBucket = maxPerBucket;
        this.forgetting = forgetting;
        this.forgotten = forgotten;
        this.lastWarnedNanos = System.nanoTime() - WARN_EVERY_NANOS;
        this.memory = operator.getKeyedStateBackend() instanceof HeapKeyedStateBackend ? new TablesOnHeap() : new EntriesPerKey();
        memory.takeOverKeysOfOtherBackend();
    }

    /** Whether {@code key} is new within the window in the current bucket (and from now on remembered). */
    public boolean firstWithinWindow(DedupKey key) throws Exception {
        return memory.firstWithinWindow(key);
    }

    private void forgot(int keys) {
        forgotten.inc(keys);
        long nanos = System.nanoTime();
        if (nanos - lastWarnedNanos >= WARN_EVERY_NANOS) {
            lastWarnedNanos = nanos;
            LOG.warn("Bucket {} of the {} held {} ({}) and forgot the {} seen longest ago, before their {} window passed: {} "
                    + "(metric {}; this log at most once a minute). A client is sending many {} that fall in one bucket, or the "
                    + "limit is too low for the traffic.", operator.getCurrentKey(), forgetting.what(), maxPerBucket,
                    forgetting.setting(), keys, window, forgetting.consequence(), forgetting.metric(), forgetting.what());
        }
    }

    private interface Memory {
        boolean firstWithinWindow(DedupKey key) throws Exception;

        /** Remembers the keys a snapshot of the other layout holds, for a window from now, and clears that state. */
        void takeOverKeysOfOtherBackend() throws Exception;
    }

    private final class TablesOnHeap implements Memory {
        private final ValueState<RememberedIds> tables = tables();
        private final int span = RememberedIds.span(window.toMillis());

        @Override
        public boolean firstWithinWindow(DedupKey key) throws Exception {
            long now = operator.getProcessingTimeService().getCurrentProcessingTime();
            RememberedIds ids = tables.value();
            if (ids == null) {
                ids = new RememberedIds();
                tables.update(ids);
            } // otherwise changed in place: the heap backend hands out a copy when a running checkpoint holds the table
            boolean isNew = ids.rememberIfNew(key, RememberedIds.second(now), span, maxPerBucket);
            if (isNew) {
                int dropped = ids.takeForgotten();
                if (dropped > 0) {
                    forgot(dropped);
                }
            }
            return isNew;
        }

        @Override
        public void takeOverKeysOfOtherBackend() throws Exception {
            List<Integer> buckets = bucketsOf(entriesState);
            if (buckets.isEmpty()) {
                return;
            }
            // read once and cleared: no cleanup while reading (the heap's incremental one trips over the clearing)
            MapState<DedupKey, Boolean> entries = entries(false);
            long keys = 0;
            for (Integer bucket : buckets) {
                operator.setCurrentKey(bucket);
                for (DedupKey key : entries.keys()) {
                    firstWithinWindow(key);
                    keys++;
                }
                entries.clear();
            }
            LOG.info("Took over {} remembered {} in {} buckets from a snapshot of another state backend; they are "
                    + "remembered for {} from now", keys, forgetting.what(), buckets.size(), window);
        }
    }

    private final class EntriesPerKey implements Memory {
        private final MapState<DedupKey, Boolean> entries = entries(true);

        @Override
        public boolean firstWithinWindow(DedupKey key) throws Exception {
            if (entries.contains(key)) {
                return false;
            }
            entries.put(key, Boolean.TRUE);
            return true;
        }

        @Override
        public void takeOverKeysOfOtherBackend() throws Exception {
            List<Integer> buckets = bucketsOf(tablesState);
            if (buckets.isEmpty()) {
                return;
            }
            ValueState<RememberedIds> tables = tables();
            int now = RememberedIds.second(operator.getProcessingTimeService().getCurrentProcessingTime());
            int span = RememberedIds.span(window.toMillis());
            long[] keys = {0};
            for (Integer bucket : buckets) {
                operator.setCurrentKey(bucket);
                RememberedIds table = tables.value();
                if (table != null) {
                    table.forEach((key, first) -> {
                        if (RememberedIds.remembered(first, now, span)) {
                            entries.put(key, Boolean.TRUE);
                            keys[0]++;
                        }
                    });
                }
                tables.clear();
            }
            LOG.info("Took over {} remembered {} in {} buckets from a snapshot of the heap state backend; they are "
                    + "remembered for {} from now", keys[0], forgetting.what(), buckets.size(), window);
        }
    }

    private ValueState<RememberedIds> tables() {
        return state(new ValueStateDescriptor<>(tablesState, RememberedIdsSerializer.INSTANCE));
    }

    private MapState<DedupKey, Boolean> entries(boolean cleanupInBackground) {
        MapStateDescriptor<DedupKey, Boolean> descriptor =
                new MapStateDescriptor<>(entriesState, DedupKeySerializer.INSTANCE, BooleanSerializer.INSTANCE);
        StateTtlConfig.Builder ttl = StateTtlConfig.newBuilder(window)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupFullSnapshot(); // a full snapshot (savepoints) leaves expired keys out
        if (!cleanupInBackground) {
            ttl.disableCleanupInBackground(); // otherwise the default: RocksDB's compaction filter drops expired keys
        }
        descriptor.enableTimeToLive(ttl.build());
        return state(descriptor);
    }

    private <S extends org.apache.flink.api.common.state.State> S state(org.apache.flink.api.common.state.StateDescriptor<S, ?> descriptor) {
        try {
            return operator.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
        } catch (Exception e) {
            throw new IllegalStateException("cannot open the state " + descriptor.getName() + " of " + forgetting.what(), e);
        }
    }

    /** The buckets of this subtask that hold state {@code name} (restored from a snapshot). */
    private List<Integer> bucketsOf(String name) {
        try (Stream<Integer> keys = operator.<Integer>getKeyedStateBackend().getKeys(name, VoidNamespace.INSTANCE)) {
            return keys.toList();
        }
    }
}
