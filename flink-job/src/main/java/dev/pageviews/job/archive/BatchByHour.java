package dev.pageviews.job.archive;

import dev.pageviews.event.PageView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Groups views by the hour partition they are archived in, and passes each group on as one
 * {@link ArchiveBatch} when it reaches {@code maxViews}, before every checkpoint barrier, and at the end of
 * input. It keeps no state: a checkpoint never holds half a batch, and the file sinks downstream (in the same
 * task) have every view before they snapshot. Part files only become visible at a checkpoint, so holding views
 * until then delays nothing a reader can see.
 *
 * <p>A view is filed under the hour it happened, unless it happened more than {@code maxLateness} before it
 * arrived (the edge's receive time; a view without one, from another producer of the topic, is always filed by
 * its own hour): then under the hour it arrived (metric {@value #FILED_BY_ARRIVAL_METRIC}). A
 * client chooses its timestamps, back to the year 2000; every hour it names is a part file each archive sink keeps
 * open, so without this bound one client spraying timestamps would open a file per hour, without end, and stall
 * the job for everyone. The row keeps its own timestamp either way.
 */
public final class BatchByHour extends AbstractStreamOperator<ArchiveBatch> implements OneInputStreamOperator<PageView, ArchiveBatch> {

    private static final long serialVersionUID = 1L;
    private static final long SECONDS_PER_HOUR = 3600;

    public static final String FILED_BY_ARRIVAL_METRIC = "archiveViewsFiledByArrival";

    private final int maxViews;
    private final long maxLatenessSeconds;
    private transient Map<Long, List<PageView>> open;
    private transient Counter filedByArrival;

    public BatchByHour(int maxViews, Duration maxLateness) {
        this.maxViews = maxViews;
        this.maxLatenessSeconds = maxLateness.toSeconds();
    }

    @Override
    public void open() throws Exception {
        super.open();
        open = new HashMap<>();
        filedByArrival = getMetricGroup().counter(FILED_BY_ARRIVAL_METRIC);
    }

    @Override
    public void processElement(StreamRecord<PageView> record) {
        PageView view = record.getValue();
        long filedAt = view.timestamp();
        long arrived = view.receivedAtMillis() / 1000;
        // a view without the edge's receive time comes from another producer, one with rights to the topic: trusted
        if (view.receivedAtMillis() != PageView.UNKNOWN_RECEIVE_TIME && arrived - filedAt > maxLatenessSeconds) {
            filedAt = arrived;
            filedByArrival.inc();
        }
        long hour = Math.floorDiv(filedAt, SECONDS_PER_HOUR);
        List<PageView> views = open.computeIfAbsent(hour, h -> new ArrayList<>(Math.min(maxViews, 1024)));
        views.add(view); // views are immutable records, safe to hold with object reuse
        if (views.size() >= maxViews) {
            open.remove(hour);
            emit(hour, views);
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flushAll();
    }

    @Override
    public void finish() throws Exception {
        flushAll();
        super.finish();
    }

    private void flushAll() {
        open.forEach(this::emit);
        open.clear();
    }

    private void emit(long hour, List<PageView> views) {
        output.collect(new StreamRecord<>(new ArchiveBatch(EventTimePartitions.partitionOf(hour * SECONDS_PER_HOUR), views)));
    }
}
