package dev.pageviews.job.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.event.PageView;
import dev.pageviews.job.OperatorMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.memory.MemCheckpointStreamFactory;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFinalizer;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dedup operator in Flink's keyed operator harness, on the heap (tables per bucket) and in RocksDB (an entry per
 * id): what passes, for how long, across a rescaled restore, and across a savepoint restored on the other backend.
 */
class FirstPerEventIdTest {

    private static final Duration WINDOW = Duration.ofMinutes(10);
    private static final int MAX_PARALLELISM = 128;
    private static final long T0 = 1_730_000_000_000L;
    /** An id counted more than a window before the snapshot: counted again after the restore. */
    private static final String EXPIRED = "counted-long-ago";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void dropsLaterCopiesOfAClientsIdAndNeverDeduplicatesViewsWithoutOne(String backend) throws Exception {
        try (var harness = harness(backend, 1, 0)) {
            harness.open();
            process(harness, T0, client("a", "/1"), client("a", "/1"), client("b", "/2"), client("a", "/1"),
                    edge("x", "/3"), edge("x", "/3"), bare("/4"), bare("/4"),
                    client("3f2b8c1e-9d4a-4e5b-8c7d-1a2b3c4d5e6f", "/5"), client("3f2b8c1e-9d4a-4e5b-8c7d-1a2b3c4d5e6f", "/5"),
                    client("3F2B8C1E-9D4A-4E5B-8C7D-1A2B3C4D5E6F", "/5"));

            assertThat(harness.extractOutputValues()).extracting(v -> v.eventId() + " " + v.pageUrl()).containsExactly(
                    "a /1", "b /2", "x /3", "x /3", "null /4", "null /4", "3f2b8c1e-9d4a-4e5b-8c7d-1a2b3c4d5e6f /5",
                    "3F2B8C1E-9D4A-4E5B-8C7D-1A2B3C4D5E6F /5");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void remembersAnIdForTheWindowAfterItsFirstCountAndACopyDoesNotExtendIt(String backend) throws Exception {
        try (var harness = harness(backend, 1, 0)) {
            harness.open();
            long w = WINDOW.toMillis();
            process(harness, T0 + 400, client("a", "/p"));
            process(harness, T0 + 400 + w - 1, client("a", "/p")); // within the window: dropped, and not extending it
            process(harness, T0 + 400 + w + 1000, client("a", "/p")); // the window (rounded up to the second) has passed
            process(harness, T0 + 400 + w + 1000 + w - 1, client("a", "/p")); // remembered anew from the second count

            assertThat(harness.extractOutputValues()).hasSize(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aRestoreAtAnotherParallelismRemembersEveryIdWhereItsKeyNowLives(String backend) throws Exception {
        List<String> ids = ids(300);
        OperatorSubtaskState snapshot;
        try (var single = harness(backend, 1, 0)) {
            single.open();
            countLongAgoAndNow(single, ids);
            assertThat(single.extractOutputValues()).hasSize(301);
            snapshot = single.snapshot(1, 1);
        }
        assertThat(passedAfterRestore(backend, snapshot, ids, T0 + 1000)).as("the new ids and the one whose window had passed")
                .hasSize(301).allMatch(id -> id.endsWith("-new") || id.equals(EXPIRED));
    }

    @ParameterizedTest(name = "{0} to {1}")
    @CsvSource({"hashmap, rocksdb", "rocksdb, hashmap"})
    void aSavepointRestoredOnTheOtherStateBackendRemembersEveryIdForAWindowFromThen(String from, String to) throws Exception {
        List<String> ids = ids(200);
        OperatorSubtaskState savepoint;
        try (var harness = harness(from, 1, 0)) {
            harness.open();
            countLongAgoAndNow(harness, ids);
            savepoint = harness.snapshotWithLocalState(1, 1, SavepointType.savepoint(SavepointFormatType.CANONICAL))
                    .getJobManagerOwnedState();
        }
        assertThat(passedAfterRestore(to, savepoint, ids, T0 + 1000)).as("the new ids and the one whose window had passed")
                .hasSize(201).allMatch(id -> id.endsWith("-new") || id.equals(EXPIRED));
    }

    /**
     * A checkpoint holds the ids counted before its barrier, not those counted while it is still being written: on the
     * heap a bucket's table is changed in place, so the backend must hand out a copy of a table a running checkpoint
     * holds. An id counted after the barrier that leaked into the checkpoint would drop its view when the job replays
     * it from the checkpoint's offsets: a view never counted.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aCheckpointHoldsTheIdsCountedBeforeItsBarrierNotThoseCountedWhileItIsWritten(String backend) throws Exception {
        String before = "counted-before-the-barrier";
        String after = inBucketOf(before); // the same table: changed in place on the heap
        OperatorSubtaskState snapshot;
        try (var harness = harness(backend, 1, 0)) {
            harness.open();
            process(harness, T0, client(before, "/p"));
            harness.prepareSnapshotPreBarrier(1);
            OperatorSnapshotFutures written = harness.getOperator().snapshotState(1, T0,
                    CheckpointOptions.forCheckpointWithDefaultLocation(), new MemCheckpointStreamFactory(Integer.MAX_VALUE));
            process(harness, T0, client(after, "/p"), client(before, "/p"));
            snapshot = OperatorSnapshotFinalizer.create(written).getJobManagerOwnedState(); // the asynchronous part
            assertThat(harness.extractOutputValues()).extracting(PageView::eventId).containsExactly(before, after);
        }
        try (var restored = harness(backend, 1, 0)) {
            restored.initializeState(snapshot);
            restored.setProcessingTime(T0 + 1000);
            restored.setStateTtlProcessingTime(T0 + 1000);
            restored.open();
            process(restored, T0 + 1000, client(before, "/p"), client(after, "/p"));

            assertThat(restored.extractOutputValues()).extracting(PageView::eventId).as("replayed from the checkpoint")
                    .containsExactly(after);
        }
    }

    /** An id other than {@code id} in its bucket: 1 in 32,768 ids falls there. */
    private static String inBucketOf(String id) {
        for (long i = 0; ; i++) {
            if (DedupKey.of("id-" + i).bucket() == DedupKey.of(id).bucket() && !("id-" + i).equals(id)) {
                return "id-" + i;
            }
        }
    }

    @org.junit.jupiter.api.Test
    void onTheHeapAFullBucketForgetsItsOldestIdsCountsThemAndTheirCopiesCountAgain() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics(MAX_PARALLELISM, 1, 0);
        List<String> ids = new ArrayList<>(); // all in the bucket of "a": 1 in 32,768 ids falls there
        for (long i = 0; ids.size() < 201; i++) {
            if (DedupKey.of("id-" + i).bucket() == DedupKey.of("a").bucket()) {
                ids.add("id-" + i);
            }
        }
        try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(new FirstPerEventId(WINDOW, 200), new EventIdBucket(),
                Types.INT, metrics.environment())) {
            harness.setStateBackend(new HashMapStateBackend());
            harness.open();
            for (int i = 0; i < 200; i++) {
                process(harness, T0 + i * 1000L, client(ids.get(i), "/p")); // one a second: the first is the oldest
            }
            process(harness, T0 + 200_000, client(ids.get(200), "/p"));
            assertThat(metrics.count(FirstPerEventId.FORGOTTEN_METRIC)).as("a quarter of the limit").isEqualTo(50);

            process(harness, T0 + 201_000, client(ids.get(0), "/p"), client(ids.get(50), "/p"), client(ids.get(200), "/p"));
            assertThat(harness.extractOutputValues()).extracting(PageView::eventId).hasSize(202)
                    .endsWith(ids.get(200), ids.get(0));
            assertThat(metrics.count(FirstPerEventId.DUPLICATES_METRIC)).as("ids 50 and 200, still remembered").isEqualTo(2);
        }
    }

    /** {@code count} ids, every other one a UUID. */
    private static List<String> ids(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(i % 2 == 0 ? "id-" + i : new java.util.UUID(i, -i).toString());
        }
        return ids;
    }

    /** Counts {@link #EXPIRED} more than a window before {@code T0}, and {@code ids} at {@code T0}. */
    private static void countLongAgoAndNow(KeyedOneInputStreamOperatorTestHarness<Integer, PageView, PageView> harness,
            List<String> ids) throws Exception {
        process(harness, T0 - WINDOW.toMillis() - 5000, client(EXPIRED, "/p"));
        for (String id : ids) {
            process(harness, T0, client(id, "/p"));
        }
    }

    /** Restores {@code snapshot} at parallelism 3 on {@code backend}; sends every id and a new one; returns what passed. */
    private static List<String> passedAfterRestore(String backend, OperatorSubtaskState snapshot, List<String> ids, long now)
            throws Exception {
        List<KeyedOneInputStreamOperatorTestHarness<Integer, PageView, PageView>> subtasks = new ArrayList<>();
        try {
            for (int subtask = 0; subtask < 3; subtask++) {
                var harness = harness(backend, 3, subtask);
                harness.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(
                        snapshot, MAX_PARALLELISM, 1, 3, subtask));
                harness.setProcessingTime(now);
                harness.setStateTtlProcessingTime(now);
                harness.open();
                subtasks.add(harness);
            }
            process(subtasks.get(ownerOf(EXPIRED)), now, client(EXPIRED, "/p"));
            for (String id : ids) {
                process(subtasks.get(ownerOf(id)), now, client(id, "/p"));
                process(subtasks.get(ownerOf(id + "-new")), now, client(id + "-new", "/p"));
            }
            List<String> passed = new ArrayList<>();
            for (var harness : subtasks) {
                harness.extractOutputValues().forEach(v -> passed.add(v.eventId()));
            }
            return passed;
        } finally {
            for (var harness : subtasks) {
                harness.close();
            }
        }
    }

    private static int ownerOf(String id) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(DedupKey.of(id).bucket(), MAX_PARALLELISM, 3);
    }

    private static KeyedOneInputStreamOperatorTestHarness<Integer, PageView, PageView> harness(String backend, int parallelism,
            int subtask) throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(new FirstPerEventId(WINDOW, 100_000), new EventIdBucket(), Types.INT,
                MAX_PARALLELISM, parallelism, subtask);
        harness.setStateBackend(backend.equals("rocksdb") ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend());
        return harness;
    }

    /** Processes {@code views} at {@code now} by both clocks (the heap tables' and the TTL's). */
    private static void process(KeyedOneInputStreamOperatorTestHarness<Integer, PageView, PageView> harness, long now,
            PageView... views) throws Exception {
        harness.setProcessingTime(now);
        harness.setStateTtlProcessingTime(now);
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
