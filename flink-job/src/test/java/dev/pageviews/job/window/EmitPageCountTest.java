package dev.pageviews.job.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.pageviews.job.hashing.SipHash;

import org.apache.flink.api.java.functions.KeySelector;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * What the older builds' windows emit when the watermark passes them, in Flink's keyed operator harness with the
 * window operator the topology builds ({@link CountViews} then {@link EmitPageCount}, keyed by {@link SaltedPageKey}):
 * the page each key stands for, not the key. Restoring such a window from a snapshot taken under the page alone or
 * another secret is {@code WindowKeyTest}'s.
 */
class EmitPageCountTest {

    private static final KeySelector<PageCount, String> KEY = new SaltedPageKey(SipHash.withRandomKey());

    /**
     * The counts leave with the watermark, not before (the sink adds them to the minute of the window's last
     * millisecond), and under the page: an increment of the salted key would count a page nobody viewed.
     */
    @Test
    void aWindowEmitsEachPagesCountUnderThePageWhenTheWatermarkPassesItsLastMillisecond() throws Exception {
        try (var harness = harness()) {
            harness.open();
            harness.processElement(new StreamRecord<>(new PageCount("/a", 3), 500L));
            harness.processElement(new StreamRecord<>(new PageCount("/a", 2), 700L));
            harness.processElement(new StreamRecord<>(new PageCount("/b", 1), 900L));
            harness.processElement(new StreamRecord<>(new PageCount("/a", 4), 1000L)); // the next window
            harness.processWatermark(998);
            assertThat(harness.extractOutputValues()).as("the window is still open at 998").isEmpty();

            harness.processWatermark(999);

            assertThat(harness.extractOutputStreamRecords()).extracting(r -> r.getValue().pageUrl(),
                            r -> r.getValue().count(), StreamRecord::getTimestamp)
                    .containsExactlyInAnyOrder(tuple("/a", 5L, 999L), tuple("/b", 1L, 999L));
        }
    }

    /**
     * A window restored from a build that keyed by the page alone has a key without the salt: it is emitted as the
     * page it is, not cut.
     */
    @Test
    void aKeyWithoutTheSaltIsEmittedAsThePageItIs() throws Exception {
        try (var harness = WindowHarness.keyedBy(PageCount::pageUrl)) {
            harness.open();
            harness.processElement(new StreamRecord<>(new PageCount("/a-page-longer-than-the-salt", 7), 500L));
            harness.processWatermark(999);

            assertThat(harness.extractOutputValues()).containsExactly(new PageCount("/a-page-longer-than-the-salt", 7));
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PageCount, PageCount> harness() throws Exception {
        return WindowHarness.keyedBy(KEY);
    }
}
