package dev.pageviews.job.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.event.PageView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.operators.StreamFilter;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The dedup operator in Flink's keyed operator harness: what passes, for how long, and across a rescaled restore. */
class FirstPerEventIdTest {

    private static final Duration WINDOW = Duration.ofMinutes(10);
    private static final int MAX_PARALLELISM = 128;

    @Test
    void dropsLaterCopiesOfAClientsIdAndNeverDeduplicatesViewsWithoutOne() throws Exception {
        try (var harness = harness(1, 0)) {
            harness.open();
            process(harness, client("a", "/1"), client("a", "/1"), client("b", "/2"), client("a", "/1"),
                    edge("x", "/3"), edge("x", "/3"), bare("/4"), bare("/4"));

            assertThat(harness.extractOutputValues()).extracting(v -> v.eventId() + " " + v.pageUrl())
                    .containsExactly("a /1", "b /2", "x /3", "x /3", "null /4", "null /4");
            assertThat(harness.numKeyedStateEntries()).as("one entry per client id, none for the others").isEqualTo(2);
        }
    }

    @Test
    void remembersAnIdForTheWindowAfterItsFirstCountAndACopyDoesNotExtendIt() throws Exception {
        try (var harness = harness(1, 0)) {
            harness.open();
            harness.setStateTtlProcessingTime(1_000);
            process(harness, client("a", "/p"));
            harness.setStateTtlProcessingTime(1_000 + WINDOW.toMillis() - 1);
            process(harness, client("a", "/p")); // a copy within the window: dropped, and it does not extend the window
            harness.setStateTtlProcessingTime(1_000 + WINDOW.toMillis());
            process(harness, client("a", "/p")); // the window has passed: counted again, and remembered anew
            harness.setStateTtlProcessingTime(1_000 + 2 * WINDOW.toMillis() - 1);
            process(harness, client("a", "/p"));

            assertThat(harness.extractOutputValues()).hasSize(2);
        }
    }

    @Test
    void aRestoreAtAnotherParallelismRemembersEveryIdWhereItsKeyNowLives() throws Exception {
        OperatorSubtaskState snapshot;
        List<String> ids = new ArrayList<>();
        try (var single = harness(1, 0)) {
            single.open();
            for (int i = 0; i < 200; i++) {
                ids.add("id-" + i);
                process(single, client("id-" + i, "/p"));
            }
            assertThat(single.extractOutputValues()).hasSize(200);
            snapshot = single.snapshot(1, 1);
        }

        List<KeyedOneInputStreamOperatorTestHarness<DedupKey, PageView, PageView>> subtasks = new ArrayList<>();
        try {
            for (int subtask = 0; subtask < 3; subtask++) {
                var harness = harness(3, subtask);
                harness.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(
                        snapshot, MAX_PARALLELISM, 1, 3, subtask));
                harness.open();
                subtasks.add(harness);
            }
            for (String id : ids) {
                process(subtasks.get(ownerOf(id)), client(id, "/p"));
                process(subtasks.get(ownerOf(id + "-new")), client(id + "-new", "/p"));
            }
            List<String> passed = new ArrayList<>();
            int entries = 0;
            for (var harness : subtasks) {
                harness.extractOutputValues().forEach(v -> passed.add(v.eventId()));
                entries += harness.numKeyedStateEntries();
            }
            assertThat(passed).as("only the ids never seen before").hasSize(200).allMatch(id -> id.endsWith("-new"));
            assertThat(entries).isEqualTo(400);
        } finally {
            for (var harness : subtasks) {
                harness.close();
            }
        }
    }

    private static int ownerOf(String key) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(DedupKey.of(key), MAX_PARALLELISM, 3);
    }

    private static KeyedOneInputStreamOperatorTestHarness<DedupKey, PageView, PageView> harness(int parallelism, int subtask)
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new StreamFilter<>(new FirstPerEventId(WINDOW)), new EventIdKey(),
                DedupKeySerializer.TYPE, MAX_PARALLELISM, parallelism, subtask);
    }

    private static void process(KeyedOneInputStreamOperatorTestHarness<DedupKey, PageView, PageView> harness, PageView... views)
            throws Exception {
        for (PageView view : views) {
            harness.processElement(view, view.timestampMillis());
        }
    }

    private static PageView client(String id, String page) {
        return new PageView("u", page, 1_730_000_000L, id, 1_730_000_000_000L, true);
    }

    private static PageView edge(String id, String page) {
        return new PageView("u", page, 1_730_000_000L, id, 1_730_000_000_000L, false);
    }

    private static PageView bare(String page) {
        return PageView.of("u", page, 1_730_000_000L);
    }
}
