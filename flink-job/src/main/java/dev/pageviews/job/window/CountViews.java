package dev.pageviews.job.window;

import org.apache.flink.api.common.functions.AggregateFunction;

/** Adds up a page's partial counts in a window: the window keeps one long per page, not the views. */
public final class CountViews implements AggregateFunction<PageCount, Long, Long> {

    private static final long serialVersionUID = 1L;

    @Override
    public Long createAccumulator() {
        return 0L;
    }

    @Override
    public Long add(PageCount partial, Long count) {
        return count + partial.count();
    }

    @Override
    public Long getResult(Long count) {
        return count;
    }

    @Override
    public Long merge(Long a, Long b) {
        return a + b;
    }
}
