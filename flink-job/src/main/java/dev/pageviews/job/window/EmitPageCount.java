package dev.pageviews.job.window;

import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Turns a window's count for a page into an increment of the page its key stands for ({@link SaltedPageKey#page}). */
public final class EmitPageCount extends ProcessWindowFunction<Long, PageCount, String, TimeWindow> {

    private static final long serialVersionUID = 1L;

    @Override
    public void process(String key, Context context, Iterable<Long> counts, Collector<PageCount> out) {
        String page = SaltedPageKey.page(key);
        for (Long count : counts) {
            out.collect(new PageCount(page, count));
        }
    }
}
