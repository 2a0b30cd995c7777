package dev.pageviews.job.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.pageviews.job.OperatorMetrics;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The older builds' late counts: passed on to the sink as they are, and counted as late views. */
class CountLateViewTest {

    /**
     * A late count keeps its page, its count and its own time (the sink adds it to that minute), and the metric
     * counts the views it stands for, not the records: a partial count of 3 is 3 late views.
     */
    @Test
    void passesALateCountOnUnchangedAndCountsTheViewsItStandsForAsLate() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics(128, 1, 0);
        try (var harness = new OneInputStreamOperatorTestHarness<>(new StreamMap<>(new CountLateView()), metrics.environment())) {
            harness.open();
            harness.processElement(new StreamRecord<>(new PageCount("/a", 3), 1_500L));
            harness.processElement(new StreamRecord<>(new PageCount("/b", 1), 61_000L));

            assertThat(harness.extractOutputStreamRecords()).extracting(StreamRecord::getValue, StreamRecord::getTimestamp)
                    .containsExactly(tuple(new PageCount("/a", 3), 1_500L), tuple(new PageCount("/b", 1), 61_000L));
            assertThat(metrics.count("eventsLate")).isEqualTo(4);
        }
    }
}
