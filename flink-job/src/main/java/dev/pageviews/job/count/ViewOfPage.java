package dev.pageviews.job.count;

import dev.pageviews.event.PageKeys;
import dev.pageviews.event.PageView;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * The one place the job turns a counted view into what it counts: the {@link PageKeys key} of its {@code page_url}, at
 * most {@code --max-page-length} characters, with its event time and user. Views whose key had to be cut are counted
 * in the metric {@value #TRUNCATED_METRIC}. Everything after this step sees keys only; the archive, fed before it,
 * keeps {@code page_url} as sent.
 */
public final class ViewOfPage extends RichMapFunction<PageView, CountedView> {

    private static final long serialVersionUID = 1L;

    public static final String TRUNCATED_METRIC = "eventsPageTruncated";

    private final int maxLength;
    private transient Counter truncated;

    public ViewOfPage(int maxLength) {
        if (maxLength < PageKeys.MIN_MAX_LENGTH) {
            throw new IllegalArgumentException("the longest page key must be at least " + PageKeys.MIN_MAX_LENGTH + ", got " + maxLength);
        }
        this.maxLength = maxLength;
    }

    @Override
    public void open(OpenContext context) {
        truncated = getRuntimeContext().getMetricGroup().counter(TRUNCATED_METRIC);
    }

    @Override
    public CountedView map(PageView view) {
        String key = PageKeys.of(view.pageUrl(), maxLength);
        if (PageKeys.isTruncated(key)) {
            truncated.inc();
        }
        return CountedView.of(key, view.timestamp(), view.userId());
    }
}
