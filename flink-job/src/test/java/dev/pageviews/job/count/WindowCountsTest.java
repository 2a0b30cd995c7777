package dev.pageviews.job.count;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.job.window.PageCount;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * The older builds' window counts as the views the Redis sink counts, in Flink's process function harness: {@code n}
 * views of the page at the second of the record's time, with no user and so no visitor flags.
 */
class WindowCountsTest {

    /**
     * A window's count carries the window's last millisecond: it must land in that window's second (and minute),
     * not the next one, and count as many views as the window counted.
     */
    @Test
    void aWindowCountIsThatManyViewsOfItsPageAtTheSecondOfItsTime() throws Exception {
        try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(new WindowCounts())) {
            harness.processElement(new StreamRecord<>(new PageCount("/a", 5), 59_999L));
            harness.processElement(new StreamRecord<>(new PageCount("/b", 1), 60_000L));

            assertThat(harness.extractOutputValues()).containsExactly(
                    new CountedView("/a", 59, null, 0, 5), new CountedView("/b", 60, null, 0, 1));
        }
    }

    /** A count that reached the operator without a time is still counted, in the first second there is. */
    @Test
    void aCountWithoutATimeIsCountedAtSecondZero() throws Exception {
        try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(new WindowCounts())) {
            harness.processElement(new StreamRecord<>(new PageCount("/a", 2)));

            assertThat(harness.extractOutputValues()).containsExactly(new CountedView("/a", 0, null, 0, 2));
        }
    }
}
