package dev.pageviews.job.window;

import org.apache.flink.api.common.functions.AggregateFunction;

/** Counts the views in a window incrementally: the window keeps one long per page, not the events. */
public final class CountViews implements AggregateFunction<String, Long, Long> {

    private static final long serialVersionUID = 1L;

    @Override
    public Long createAccumulator() {
        return 0L;
    }

    @Override
    public Long add(String pageUrl, Long count) {
        return count + 1;
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
