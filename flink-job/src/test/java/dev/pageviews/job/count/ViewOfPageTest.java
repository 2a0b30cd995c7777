package dev.pageviews.job.count;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.event.PageView;
import dev.pageviews.job.OperatorMetrics;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The step that turns a counted view into its page: the key of its page_url, cut to the limit and counted when cut. */
class ViewOfPageTest {

    @Test
    void countsEachViewUnderItsPageKeyAndCountsTheViewsWhoseKeyWasCut() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics(128, 1, 0);
        try (var harness = new OneInputStreamOperatorTestHarness<>(new StreamMap<>(new ViewOfPage(64)), metrics.environment())) {
            harness.open();
            String longPath = "/search/" + "q".repeat(100);
            for (String url : new String[] {"/home", "/home/", "HTTPS://Example.COM/a#b", "/café", longPath, longPath + "x"}) {
                harness.processElement(new StreamRecord<>(PageView.of("u", url, 1_730_000_000L), 1L));
            }

            assertThat(harness.extractOutputValues()).extracting(CountedView::page).containsExactly("/home", "/home", "https://example.com/a", "/caf%C3%A9",
                    "/search/" + "q".repeat(44) + " (truncated)", "/search/" + "q".repeat(44) + " (truncated)");
            assertThat(metrics.count(ViewOfPage.TRUNCATED_METRIC)).isEqualTo(2);
        }
    }
}
