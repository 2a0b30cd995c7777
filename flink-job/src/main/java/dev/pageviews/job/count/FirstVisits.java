package dev.pageviews.job.count;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Marks a view as its user's first of the page, and of the site, on the view's day in the reporting time zone: what
 * the exact daily visitor counts add up. Runs on a stream keyed by a bucket of the user id ({@link VisitorBucket}), and
 * remembers in keyed state which (day, user) and (day, user, page) it has seen, each for a day, an hour and
 * {@code window} after it was first seen: long enough for every view that is still counted as a visitor.
 *
 * <p>A view that arrives more than {@code window} after its day ended (by the TaskManager's clock) is counted as a
 * view but not as a visitor (metric {@value #TOO_LATE_METRIC}): what was seen on its day may be forgotten by then, and
 * counting it could count a visitor twice. The day's HyperLogLog is not written for it either.
 *
 * <p>The state is a map per bucket with Flink's state TTL, on either state backend; a map's keys are the strings
 * {@code date\nuser} and {@code date\nuser\npage} (a user id and a page key hold no control characters). On the heap
 * a bucket's map is a Java {@code HashMap}, whose bins of colliding strings become trees: no choice of ids makes a
 * lookup slower than logarithmic.
 */
public final class FirstVisits extends KeyedProcessFunction<Integer, CountedView, CountedView> {

    private static final long serialVersionUID = 1L;

    public static final String TOO_LATE_METRIC = "visitorsTooLate";
    public static final String STATE = "visits-seen";

    private final ReportingTime time;
    private final long windowSeconds;
    private transient MapState<String, Boolean> seen;
    private transient Counter tooLate;

    public FirstVisits(ReportingTime time, Duration window) {
        this.time = time;
        this.windowSeconds = window.toSeconds();
    }

    /** How long a seen visit is remembered: its whole day (25 hours at most), the window, and a margin for clocks. */
    static Duration memory(Duration window) {
        return Duration.ofHours(26).plus(window);
    }

    @Override
    public void open(OpenContext context) {
        MapStateDescriptor<String, Boolean> descriptor = new MapStateDescriptor<>(STATE, Types.STRING, Types.BOOLEAN);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(memory(Duration.ofSeconds(windowSeconds)))
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        seen = getRuntimeContext().getMapState(descriptor);
        tooLate = getRuntimeContext().getMetricGroup().counter(TOO_LATE_METRIC);
    }

    @Override
    public void processElement(CountedView view, Context context, Collector<CountedView> out) throws Exception {
        if (view.userId() == null) {
            out.collect(view);
            return;
        }
        long now = context.timerService().currentProcessingTime() / 1000;
        if (now > time.dayEnd(view.second()) + windowSeconds) {
            tooLate.inc();
            out.collect(view);
            return;
        }
        String site = time.date(view.second()) + '\n' + view.userId();
        String page = site + '\n' + view.page();
        int flags = 0;
        if (!seen.contains(site)) {
            seen.put(site, Boolean.TRUE);
            flags |= CountedView.FIRST_OF_SITE_DAY;
        }
        if (!seen.contains(page)) {
            seen.put(page, Boolean.TRUE);
            flags |= CountedView.FIRST_OF_PAGE_DAY;
        }
        out.collect(flags == 0 ? view : view.withFlags(flags));
    }
}
