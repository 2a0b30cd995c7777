package dev.pageviews.job.source;

import dev.pageviews.event.PageView;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Sends valid views on and invalid records to the dead-letter side output, counting both. */
public final class ValidOrDeadLetter extends ProcessFunction<RawView, PageView> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private transient Counter valid;
    private transient Counter invalid;

    @Override
    public void open(OpenContext context) {
        valid = getRuntimeContext().getMetricGroup().counter("eventsIn");
        invalid = getRuntimeContext().getMetricGroup().counter("eventsDeadLettered");
    }

    @Override
    public void processElement(RawView record, Context context, Collector<PageView> out) {
        if (record.isValid()) {
            valid.inc();
            out.collect(record.view());
        } else {
            invalid.inc();
            context.output(DEAD_LETTERS, DeadLetter.of(record.raw(), record.problem(), record.partition(), record.offset()));
        }
    }
}
