package dev.pageviews.job.window;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Sums views per page and event-time window before the shuffle, so a page seen a thousand times in a
 * window crosses the network once as (page, 1000) and a hot page cannot overload the subtask that owns its
 * key. Sums leave when the watermark passes their window (right before the watermark itself, so the keyed
 * window downstream has them before it fires) and before every checkpoint barrier: this operator keeps no
 * state of its own, so a checkpoint never holds half a sum. A view behind the watermark is passed on at
 * once; the keyed window then counts it as late.
 */
public final class PreAggregate extends AbstractStreamOperator<PageCount> implements OneInputStreamOperator<String, PageCount> {

    private static final long serialVersionUID = 1L;

    private final long windowMillis;
    private transient TreeMap<Long, Map<String, long[]>> openWindows;
    private transient StreamRecord<PageCount> reuse;
    private transient long watermark;

    public PreAggregate(long windowMillis) {
        this.windowMillis = windowMillis;
    }

    @Override
    public void open() throws Exception {
        super.open();
        openWindows = new TreeMap<>();
        reuse = new StreamRecord<>(null);
        watermark = Long.MIN_VALUE;
    }

    @Override
    public void processElement(StreamRecord<String> record) {
        long timestamp = record.getTimestamp();
        long start = timestamp - Math.floorMod(timestamp, windowMillis);
        long lastMillis = start + windowMillis - 1;
        if (lastMillis <= watermark) {
            output.collect(reuse.replace(new PageCount(record.getValue(), 1), timestamp));
            return;
        }
        openWindows.computeIfAbsent(start, s -> new HashMap<>())
                .computeIfAbsent(record.getValue(), page -> new long[1])[0]++;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = mark.getTimestamp();
        Iterator<Map.Entry<Long, Map<String, long[]>>> windows = openWindows.entrySet().iterator();
        while (windows.hasNext()) {
            Map.Entry<Long, Map<String, long[]>> window = windows.next();
            if (window.getKey() + windowMillis - 1 > watermark) {
                break; // sorted by start: the rest are still open
            }
            emit(window.getKey(), window.getValue());
            windows.remove();
        }
        super.processWatermark(mark);
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
        openWindows.forEach(this::emit);
        openWindows.clear();
    }

    private void emit(long start, Map<String, long[]> counts) {
        long lastMillis = start + windowMillis - 1; // inside the window, so the keyed window assigns it there
        counts.forEach((page, n) -> output.collect(reuse.replace(new PageCount(page, n[0]), lastMillis)));
    }
}
