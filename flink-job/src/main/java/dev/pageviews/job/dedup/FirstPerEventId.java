package dev.pageviews.job.dedup;

import dev.pageviews.event.PageView;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;

/**
 * Lets a view with a client's event id through the first time its id is seen within the window, and drops
 * (and counts, metric {@value #DUPLICATES_METRIC}) every later copy. Views without a client id always pass.
 *
 * <p>Runs on a stream keyed by {@link EventIdKey}. The id is remembered in keyed state (one flag per id, under its exact
 * {@link DedupKey}; {@code ./pageviews bench job only=dedup} measures the bytes per id) that expires
 * {@code window} after the first copy was counted, by the clock of the TaskManager (Flink's state TTL
 * knows only processing time); a copy is never extending it. The state is checkpointed with the offsets and the
 * Redis increments, so the decision to count a copy or not is made once, whatever fails, and travels with its
 * key group when the job is restored at another parallelism.
 */
public final class FirstPerEventId extends RichFilterFunction<PageView> {

    private static final long serialVersionUID = 1L;

    public static final String DUPLICATES_METRIC = "duplicates";
    static final String STATE_NAME = "counted-event-ids";

    private final Duration window;
    private transient ValueState<Boolean> counted;
    private transient Counter duplicates;

    public FirstPerEventId(Duration window) {
        if (window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("the dedup window must be longer than 0, got " + window);
        }
        this.window = window;
    }

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<Boolean> descriptor = new ValueStateDescriptor<>(STATE_NAME, Types.BOOLEAN);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(window)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupFullSnapshot() // a full snapshot (heap backend, savepoints) leaves expired ids out
                .build()); // plus the defaults: incremental cleanup on the heap, compaction filter in RocksDB
        counted = getRuntimeContext().getState(descriptor);
        duplicates = getRuntimeContext().getMetricGroup().counter(DUPLICATES_METRIC);
    }

    @Override
    public boolean filter(PageView view) throws Exception {
        if (!view.eventIdFromClient()) {
            return true;
        }
        if (counted.value() != null) {
            duplicates.inc();
            return false;
        }
        counted.update(Boolean.TRUE);
        return true;
    }
}
