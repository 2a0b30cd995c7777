package dev.pageviews.job.window;

import java.time.Duration;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.operators.windowing.WindowOperatorBuilder;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** The older builds' window operator as the topology builds it (without its late side output), in a test harness. */
public final class WindowHarness {

    /** The maximum parallelism of the harness's key groups, as a job's default. */
    public static final int MAX_PARALLELISM = 128;

    private WindowHarness() {}

    /** One subtask of 1-second windows summing {@link PageCount}s, keyed by {@code key}. */
    public static KeyedOneInputStreamOperatorTestHarness<String, PageCount, PageCount> keyedBy(KeySelector<PageCount, String> key)
            throws Exception {
        WindowOperatorBuilder<PageCount, String, TimeWindow> builder = new WindowOperatorBuilder<>(
                TumblingEventTimeWindows.of(Duration.ofSeconds(1)), EventTimeTrigger.create(), new ExecutionConfig(),
                Types.POJO(PageCount.class), key, Types.STRING);
        OneInputStreamOperator<PageCount, PageCount> window = builder.aggregate(new CountViews(), new EmitPageCount(), Types.LONG);
        return new KeyedOneInputStreamOperatorTestHarness<>(window, key, Types.STRING, MAX_PARALLELISM, 1, 0);
    }
}
