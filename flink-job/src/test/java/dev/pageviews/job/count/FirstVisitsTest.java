package dev.pageviews.job.count;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.job.OperatorMetrics;
import dev.pageviews.job.dedup.DedupKey;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which views are their user's first of the page and of the site on the day, on both state backends, across a restore. */
class FirstVisitsTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final long DAY1 = 1_764_950_400L; // 2025-12-05T16:00:00Z, 17:00 in Berlin
    private static final long DAY2 = DAY1 + 86_400;
    private static final int SITE = CountedView.FIRST_OF_SITE_DAY;
    private static final int PAGE = CountedView.FIRST_OF_PAGE_DAY;

    private static KeyedOneInputStreamOperatorTestHarness<Integer, CountedView, CountedView> harness(String backend,
            int maxPerBucket, OperatorMetrics metrics) throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new FirstVisits(new ReportingTime(BERLIN), Duration.ofDays(2), maxPerBucket), new VisitorBucket(), Types.INT,
                metrics.environment());
        harness.setStateBackend(backend.equals("rocksdb") ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend());
        return harness;
    }

    private static KeyedOneInputStreamOperatorTestHarness<Integer, CountedView, CountedView> harness(String backend) throws Exception {
        return harness(backend, 100_000, new OperatorMetrics(128, 1, 0));
    }

    /** Processes a view of {@code page} at {@code second} by {@code user} at the harness's clock; returns its flags. */
    private static int flags(KeyedOneInputStreamOperatorTestHarness<Integer, CountedView, CountedView> harness, String page,
            long second, String user) throws Exception {
        int before = harness.extractOutputValues().size();
        harness.processElement(new StreamRecord<>(CountedView.of(page, second, user), second * 1000));
        List<CountedView> out = harness.extractOutputValues();
        assertThat(out).hasSize(before + 1);
        return out.get(before).flags();
    }

    private static void clock(KeyedOneInputStreamOperatorTestHarness<Integer, CountedView, CountedView> harness, long millis)
            throws Exception {
        harness.setProcessingTime(millis);
        harness.setStateTtlProcessingTime(millis);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void marksTheFirstVisitOfEachPageAndOfTheSitePerUserAndLocalDay(String backend) throws Exception {
        try (var harness = harness(backend)) {
            clock(harness, DAY2 * 1000);
            harness.open();
            assertThat(flags(harness, "/a", DAY1, "u1")).isEqualTo(SITE | PAGE);
            assertThat(flags(harness, "/a", DAY1 + 60, "u1")).isZero();
            assertThat(flags(harness, "/b", DAY1 + 60, "u1")).isEqualTo(PAGE);
            assertThat(flags(harness, "/a", DAY1, "u2")).isEqualTo(SITE | PAGE);
            assertThat(flags(harness, "/a", DAY1 + 7 * 3600, "u1")).as("00:00 in Berlin: a new day").isEqualTo(SITE | PAGE);
            assertThat(flags(harness, "/a", DAY2, "u1")).as("seen on this day already (just after midnight)").isZero();
            assertThat(flags(harness, "/a\n", DAY1, "u1")).as("another page, whatever its characters").isEqualTo(PAGE);
        }
    }

    @Test
    void aViewArrivingAfterTheWindowOfItsDayIsAViewButNotAVisitor() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics(128, 1, 0);
        try (var harness = harness("hashmap", 100_000, metrics)) {
            clock(harness, (DAY1 + 4 * 86_400) * 1000);
            harness.open();
            assertThat(flags(harness, "/a", DAY1, "u1")).isZero();
            assertThat(flags(harness, "/a", DAY1 + 3 * 86_400, "u1")).isEqualTo(SITE | PAGE);
            assertThat(metrics.count(FirstVisits.TOO_LATE_METRIC)).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aRestoredJobRemembersWhoItHasSeenForItsDayAndTheWindow(String backend) throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness(backend)) {
            clock(harness, DAY1 * 1000);
            harness.open();
            assertThat(flags(harness, "/a", DAY1, "u1")).isEqualTo(SITE | PAGE);
            snapshot = harness.snapshot(1, 1);
        }
        try (var restored = harness(backend)) {
            clock(restored, DAY1 * 1000 + 5000);
            restored.initializeState(snapshot);
            restored.open();
            assertThat(flags(restored, "/a", DAY1 + 5, "u1")).isZero();
            assertThat(flags(restored, "/b", DAY1 + 5, "u1")).isEqualTo(PAGE);
            // the last moment a view of DAY1 still counts as a visitor: its day ended 2 days before (Berlin midnight)
            clock(restored, (DAY1 + 7 * 3600 + 2 * 86_400) * 1000);
            assertThat(flags(restored, "/a", DAY1 + 60, "u1")).as("still remembered").isZero();
        }
    }

    @Test
    void onTheHeapAFullBucketForgetsTheVisitsSeenLongestAgoAndSaysSo() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics(128, 1, 0);
        List<String> users = new ArrayList<>(); // all in the bucket of "u": 1 in 32,768 ids falls there
        for (long i = 0; users.size() < 101; i++) {
            if (DedupKey.of("user-" + i).bucket() == DedupKey.of("u").bucket()) {
                users.add("user-" + i);
            }
        }
        try (var harness = harness("hashmap", 200, metrics)) {
            harness.open();
            for (int i = 0; i < 100; i++) {
                clock(harness, (DAY1 + i) * 1000);
                assertThat(flags(harness, "/a", DAY1, users.get(i))).isEqualTo(SITE | PAGE); // two visits each
            }
            clock(harness, (DAY1 + 100) * 1000);
            assertThat(flags(harness, "/a", DAY1, users.get(100))).isEqualTo(SITE | PAGE);
            assertThat(metrics.count(FirstVisits.FORGOTTEN_METRIC)).as("a quarter of the limit").isEqualTo(50);
            assertThat(flags(harness, "/a", DAY1, users.get(0))).as("forgotten: a visitor again").isEqualTo(SITE | PAGE);
            assertThat(flags(harness, "/a", DAY1, users.get(99))).as("remembered").isZero();
        }
    }

    @Test
    void aWindowCountOfAnOlderBuildPassesUnmarked() throws Exception {
        try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new FirstVisits(new ReportingTime(BERLIN), Duration.ofDays(2), 100_000), v -> 0, Types.INT, 128, 1, 0)) {
            harness.open();
            harness.processElement(new StreamRecord<>(new CountedView("/a", DAY1, null, 0, 7), DAY1 * 1000));
            assertThat(harness.extractOutputValues()).containsExactly(new CountedView("/a", DAY1, null, 0, 7));
        }
    }
}
