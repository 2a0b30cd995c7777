package dev.pageviews.job.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.event.PageView;
import dev.pageviews.job.OperatorMetrics;
import java.time.Duration;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** How views are grouped into the archive's hour partitions, and the bound on the hours a client can make it open. */
class BatchByHourTest {

    private static final long NOW = 1_764_950_400L; // 2025-12-05T16:00:00Z

    private static PageView view(long timestamp, long receivedAt) {
        return new PageView("u", "/p", timestamp, "e-" + timestamp, receivedAt * 1000);
    }

    @Test
    void filesAViewUnderItsHourUnlessItIsOlderThanTheLatenessWhenItArrived() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics(128, 1, 0);
        try (var harness = new OneInputStreamOperatorTestHarness<>(new BatchByHour(1000, Duration.ofDays(7)), metrics.environment())) {
            harness.open();
            harness.processElement(new StreamRecord<>(view(NOW - 60, NOW), 1L)); // a minute ago
            harness.processElement(new StreamRecord<>(view(NOW - Duration.ofDays(6).toSeconds(), NOW), 2L)); // late, within the bound
            harness.processElement(new StreamRecord<>(view(NOW - Duration.ofDays(3000).toSeconds(), NOW), 3L)); // years ago
            harness.processElement(new StreamRecord<>(view(NOW - Duration.ofDays(8).toSeconds(), NOW + 5), 4L));
            harness.prepareSnapshotPreBarrier(1);

            List<String> partitions = harness.extractOutputValues().stream().map(ArchiveBatch::partition).sorted().toList();
            assertThat(partitions).containsExactly("dt=2025-11-29/hour=16", "dt=2025-12-05/hour=15", "dt=2025-12-05/hour=16");
            ArchiveBatch byArrival = harness.extractOutputValues().stream()
                    .filter(b -> b.partition().equals("dt=2025-12-05/hour=16")).findFirst().orElseThrow();
            assertThat(byArrival.views()).extracting(PageView::timestamp).as("the rows keep their own time")
                    .containsExactlyInAnyOrder(NOW - Duration.ofDays(3000).toSeconds(), NOW - Duration.ofDays(8).toSeconds());
            assertThat(metrics.count(BatchByHour.FILED_BY_ARRIVAL_METRIC)).isEqualTo(2);
        }
    }

    @Test
    void aClientSprayingTimestampsOpensAtMostTheHoursOfTheBound() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics(128, 1, 0);
        try (var harness = new OneInputStreamOperatorTestHarness<>(new BatchByHour(1000, Duration.ofDays(7)), metrics.environment())) {
            harness.open();
            for (long hoursAgo = 0; hoursAgo < 200_000; hoursAgo += 7) { // back to the year 2000
                harness.processElement(new StreamRecord<>(view(NOW - hoursAgo * 3600, NOW), 1L));
            }
            harness.prepareSnapshotPreBarrier(1);
            long partitions = harness.extractOutputValues().stream().map(ArchiveBatch::partition).distinct().count();
            assertThat(partitions).isLessThanOrEqualTo(7 * 24 + 1);
        }
    }

    @Test
    void aViewWithoutTheEdgesReceiveTimeIsFiledByItsOwnHour() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics(128, 1, 0);
        try (var harness = new OneInputStreamOperatorTestHarness<>(new BatchByHour(1000, Duration.ofDays(7)), metrics.environment())) {
            harness.open();
            long yearsAgo = NOW - Duration.ofDays(3000).toSeconds();
            harness.processElement(new StreamRecord<>(PageView.of("u", "/p", yearsAgo), 1L));
            harness.prepareSnapshotPreBarrier(1);
            assertThat(harness.extractOutputValues()).singleElement()
                    .satisfies(b -> assertThat(b.partition()).isEqualTo(EventTimePartitions.partitionOf(yearsAgo)));
            assertThat(metrics.count(BatchByHour.FILED_BY_ARRIVAL_METRIC)).isZero();
        }
    }
}
