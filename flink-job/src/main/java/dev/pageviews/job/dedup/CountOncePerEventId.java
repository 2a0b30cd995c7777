package dev.pageviews.job.dedup;

import dev.pageviews.event.PageView;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The dedup stage between validation and counting: with {@code --dedup-window} above 0, views are keyed by event
 * id and {@link FirstPerEventId} drops the copies of a client's view; with 0 the stage is left out (and so is its
 * shuffle), and every copy is counted.
 */
public final class CountOncePerEventId {

    public static final String UID = "count-once-per-event-id";

    private CountOncePerEventId() {}

    /**
     * The views to count and archive: {@code views} without the copies of an event id seen within {@code window}
     * ({@code --dedup-window}), remembering at most {@code maxIdsPerBucket} ids per bucket
     * ({@code --dedup-max-ids-per-bucket}).
     */
    public static DataStream<PageView> apply(DataStream<PageView> views, Duration window, int maxIdsPerBucket) {
        if (window.isZero()) {
            return views;
        }
        return views
                .keyBy(new EventIdBucket(), Types.INT)
                .transform("count once per event_id", views.getType(), new FirstPerEventId(window, maxIdsPerBucket))
                .uid(UID);
    }
}
