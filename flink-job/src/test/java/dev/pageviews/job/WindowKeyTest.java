package dev.pageviews.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.job.window.PageCount;
import dev.pageviews.job.window.SaltedPageKey;
import dev.pageviews.job.window.WindowHarness;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

import org.apache.flink.streaming.api.watermark.Watermark;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The key the windows are keyed by ({@link PageViewsTopology#windowKey()}): pages a client made collide in
 * {@code String.hashCode} do not collide in it, and windows restored from a job that keyed by the page alone, or by
 * another secret, still fire and emit their pages.
 */
class WindowKeyTest {

    private static final int MAX_PARALLELISM = WindowHarness.MAX_PARALLELISM;

    @Test
    void pagesWithOneStringHashCodeGetKeysSpreadOverHashCodesAndKeyGroups() throws Exception {
        KeySelector<PageCount, String> key = PageViewsTopology.windowKey();
        Set<Integer> pageHashes = new HashSet<>();
        Set<Integer> keyHashes = new HashSet<>();
        Set<Integer> keyGroups = new HashSet<>();
        for (int i = 0; i < 4096; i++) {
            StringBuilder page = new StringBuilder("/c/");
            for (int b = 0; b < 12; b++) {
                page.append((i >>> b & 1) == 0 ? "Aa" : "BB");
            }
            String k = key.getKey(new PageCount(page.toString(), 1));
            pageHashes.add(page.toString().hashCode());
            keyHashes.add(k.hashCode());
            keyGroups.add(KeyGroupRangeAssignment.assignToKeyGroup(k, MAX_PARALLELISM));
            assertThat(SaltedPageKey.page(k)).isEqualTo(page.toString());
        }
        assertThat(pageHashes).as("the pages collide").hasSize(1);
        assertThat(keyHashes).as("their keys do not, but by chance").hasSizeGreaterThan(4090);
        assertThat(keyGroups).as("and spread over every key group").hasSize(MAX_PARALLELISM);
    }

    @Test
    void aWindowRestoredFromAJobThatKeyedByThePageAloneFiresAndEmitsItsPage() throws Exception {
        OperatorSubtaskState snapshot;
        try (var before = WindowHarness.keyedBy(PageCount::pageUrl)) {
            before.open();
            before.processElement(new StreamRecord<>(new PageCount("/a", 3), 500L));
            before.processElement(new StreamRecord<>(new PageCount("/b", 1), 600L));
            snapshot = before.snapshot(1, 1);
        }
        try (var after = WindowHarness.keyedBy(PageViewsTopology.windowKey())) {
            after.initializeState(snapshot);
            after.open();
            after.processElement(new StreamRecord<>(new PageCount("/a", 2), 700L));
            after.processWatermark(new Watermark(999));

            assertThat(countsByPage(after.extractOutputValues())).isEqualTo(Map.of("/a", 5L, "/b", 1L));
        }
    }

    @Test
    void aWindowRestoredUnderAnotherSecretFiresAndItsPageCountsAddUp() throws Exception {
        OperatorSubtaskState snapshot;
        try (var before = WindowHarness.keyedBy(PageViewsTopology.windowKey())) {
            before.open();
            before.processElement(new StreamRecord<>(new PageCount("/a", 3), 500L));
            snapshot = before.snapshot(1, 1);
        }
        try (var after = WindowHarness.keyedBy(PageViewsTopology.windowKey())) {
            after.initializeState(snapshot);
            after.open();
            after.processElement(new StreamRecord<>(new PageCount("/a", 2), 700L));
            after.processWatermark(new Watermark(999));

            assertThat(countsByPage(after.extractOutputValues())).isEqualTo(Map.of("/a", 5L));
        }
    }

    /** The increments a window emitted, added up per page as the sink adds them. */
    private static Map<String, Long> countsByPage(List<PageCount> increments) {
        Map<String, Long> counts = new TreeMap<>();
        increments.forEach(c -> counts.merge(c.pageUrl(), c.count(), Long::sum));
        return counts;
    }
}
