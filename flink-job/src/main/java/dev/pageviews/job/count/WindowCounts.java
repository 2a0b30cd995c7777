package dev.pageviews.job.count;

import dev.pageviews.job.window.PageCount;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A count of the windows of an older build as views: {@code n} views of the page at the record's time (the window's
 * last millisecond, or a late view's own time), with no user: they were counted before users were looked at.
 */
public final class WindowCounts extends ProcessFunction<PageCount, CountedView> {

    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(PageCount count, Context context, Collector<CountedView> out) {
        long millis = context.timestamp() == null ? 0 : context.timestamp();
        out.collect(new CountedView(count.pageUrl(), Math.floorDiv(millis, 1000), null, 0, count.count()));
    }
}
