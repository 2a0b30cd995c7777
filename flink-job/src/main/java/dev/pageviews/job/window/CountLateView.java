package dev.pageviews.job.window;

import dev.pageviews.job.PageCount;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * A view that arrived after its window closed still counts: it becomes an increment of one. The sink
 * adds increments up per checkpoint, so late views cost no extra Redis commands.
 */
public final class CountLateView extends RichMapFunction<String, PageCount> {

    private static final long serialVersionUID = 1L;

    private transient Counter late;

    @Override
    public void open(OpenContext context) {
        late = getRuntimeContext().getMetricGroup().counter("eventsLate");
    }

    @Override
    public PageCount map(String pageUrl) {
        late.inc();
        return new PageCount(pageUrl, 1);
    }
}
