package dev.pageviews.job.count;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.job.OperatorMetrics;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Which views are their user's first of the page and of the site on the day, across a restore. */
class FirstVisitsTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final long DAY1 = 1_764_950_400L; // 2025-12-05T16:00:00Z, 17:00 in Berlin
    private static final long DAY2 = DAY1 + 86_400;

    private static KeyedOneInputStreamOperatorTestHarness<Integer, CountedView, CountedView> harness(OperatorMetrics metrics)
            throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FirstVisits(new ReportingTime(BERLIN), Duration.ofDays(2))), new VisitorBucket(),
                Types.INT, 128, 1, 0);
        return harness;
    }

    private static int flags(KeyedOneInputStreamOperatorTestHarness<Integer, CountedView, CountedView> harness, String page,
            long second, String user) throws Exception {
        int before = harness.extractOutputValues().size();
        harness.processElement(new StreamRecord<>(CountedView.of(page, second, user), second * 1000));
        List<CountedView> out = harness.extractOutputValues();
        assertThat(out).hasSize(before + 1);
        return out.get(before).flags();
    }

    private static final int SITE = CountedView.FIRST_OF_SITE_DAY;
    private static final int PAGE = CountedView.FIRST_OF_PAGE_DAY;

    @Test
    void marksTheFirstVisitOfEachPageAndOfTheSitePerUserAndLocalDay() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics(128, 1, 0);
        try (var harness = harness(metrics)) {
            harness.setProcessingTime(DAY2 * 1000);
            harness.open();
            assertThat(flags(harness, "/a", DAY1, "u1")).isEqualTo(SITE | PAGE);
            assertThat(flags(harness, "/a", DAY1 + 60, "u1")).isZero();
            assertThat(flags(harness, "/b", DAY1 + 60, "u1")).isEqualTo(PAGE);
            assertThat(flags(harness, "/a", DAY1, "u2")).isEqualTo(SITE | PAGE);
            assertThat(flags(harness, "/a", DAY1 + 7 * 3600, "u1")).as("00:00 in Berlin: a new day").isEqualTo(SITE | PAGE);
            assertThat(flags(harness, "/a", DAY2, "u1")).as("seen on this day already (just after midnight)").isZero();
        }
    }

    @Test
    void aViewArrivingAfterTheWindowOfItsDayIsAViewButNotAVisitor() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics(128, 1, 0);
        try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FirstVisits(new ReportingTime(BERLIN), Duration.ofDays(2))), new VisitorBucket(),
                Types.INT, 128, 1, 0)) {
            harness.setProcessingTime((DAY1 + 4 * 86_400) * 1000);
            harness.open();
            assertThat(flags(harness, "/a", DAY1, "u1")).isZero();
            assertThat(flags(harness, "/a", DAY1 + 3 * 86_400, "u1")).isEqualTo(SITE | PAGE);
        }
    }

    @Test
    void aRestoredJobRemembersWhoItHasSeen() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness(new OperatorMetrics(128, 1, 0))) {
            harness.setProcessingTime(DAY1 * 1000);
            harness.open();
            assertThat(flags(harness, "/a", DAY1, "u1")).isEqualTo(SITE | PAGE);
            snapshot = harness.snapshot(1, 1);
        }
        try (var restored = harness(new OperatorMetrics(128, 1, 0))) {
            restored.setProcessingTime(DAY1 * 1000 + 5000);
            restored.initializeState(snapshot);
            restored.open();
            assertThat(flags(restored, "/a", DAY1 + 5, "u1")).isZero();
            assertThat(flags(restored, "/b", DAY1 + 5, "u1")).isEqualTo(PAGE);
        }
    }

    @Test
    void aWindowCountOfAnOlderBuildPassesUnmarked() throws Exception {
        try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FirstVisits(new ReportingTime(BERLIN), Duration.ofDays(2))), v -> 0,
                Types.INT, 128, 1, 0)) {
            harness.open();
            harness.processElement(new StreamRecord<>(new CountedView("/a", DAY1, null, 0, 7), DAY1 * 1000));
            assertThat(harness.extractOutputValues()).containsExactly(new CountedView("/a", DAY1, null, 0, 7));
        }
    }
}
