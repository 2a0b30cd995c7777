package dev.pageviews.job.window;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * Views that arrived after their window closed still count: they go straight to the sink as increments.
 * The sink adds increments up per checkpoint, so late views cost no extra Redis command.
 */
public final class CountLateView extends RichMapFunction<PageCount, PageCount> {

    private static final long serialVersionUID = 1L;

    private transient Counter late;

    @Override
    public void open(OpenContext context) {
        late = getRuntimeContext().getMetricGroup().counter("eventsLate");
    }

    @Override
    public PageCount map(PageCount views) {
        late.inc(views.count());
        return views;
    }
}
