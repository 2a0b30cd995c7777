package dev.pageviews.job.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.pageviews.event.PageView;
import dev.pageviews.job.OperatorMetrics;
import java.time.Duration;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
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

    /** A full hour does not wait for the barrier: at {@code maxViews} it leaves as one batch, the other hours stay open. */
    @Test
    void anHourThatReachesMaxViewsLeavesAsOneBatchAtOnce() throws Exception {
        try (var harness = new OneInputStreamOperatorTestHarness<>(new BatchByHour(3, Duration.ofDays(7)))) {
            harness.open();
            harness.processElement(new StreamRecord<>(view(NOW, NOW), 1L));
            harness.processElement(new StreamRecord<>(view(NOW + 1, NOW), 2L));
            harness.processElement(new StreamRecord<>(view(NOW - 3600, NOW), 3L)); // the hour before
            assertThat(harness.extractOutputValues()).as("two views of the hour: held").isEmpty();

            harness.processElement(new StreamRecord<>(view(NOW + 2, NOW), 4L));

            assertThat(harness.extractOutputValues()).singleElement().satisfies(batch -> {
                assertThat(batch.partition()).isEqualTo("dt=2025-12-05/hour=16");
                assertThat(batch.views()).extracting(PageView::timestamp).containsExactly(NOW, NOW + 1, NOW + 2);
            });
        }
    }

    /**
     * Views are held until the barrier; before it, every open batch is sent on, once, so the file sinks have them
     * before they snapshot. The operator keeps them in no state: a job restored from that checkpoint does not archive
     * them a second time.
     */
    @Test
    void aBarrierSendsEveryOpenBatchOnOnceAndTheCheckpointHoldsNoneOfThem() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = new OneInputStreamOperatorTestHarness<>(new BatchByHour(1000, Duration.ofDays(7)))) {
            harness.open();
            harness.processElement(new StreamRecord<>(view(NOW - 60, NOW), 1L));
            harness.processElement(new StreamRecord<>(view(NOW - 2 * 3600, NOW), 2L));
            harness.processElement(new StreamRecord<>(view(NOW - 30, NOW), 3L));
            assertThat(harness.extractOutputValues()).as("before the barrier").isEmpty();

            harness.prepareSnapshotPreBarrier(1);
            snapshot = harness.snapshot(1, 10L);
            assertThat(harness.extractOutputValues()).extracting(ArchiveBatch::partition, b -> b.views().size())
                    .containsExactlyInAnyOrder(tuple("dt=2025-12-05/hour=15", 2), tuple("dt=2025-12-05/hour=14", 1));

            harness.processElement(new StreamRecord<>(view(NOW, NOW), 4L));
            harness.prepareSnapshotPreBarrier(2);
            assertThat(harness.extractOutputValues()).as("the next barrier sends only what came since")
                    .hasSize(3).last().satisfies(b -> assertThat(b.views()).extracting(PageView::timestamp).containsExactly(NOW));
        }
        try (var restored = new OneInputStreamOperatorTestHarness<>(new BatchByHour(1000, Duration.ofDays(7)))) {
            restored.initializeState(snapshot);
            restored.open();
            restored.prepareSnapshotPreBarrier(2);
            assertThat(restored.extractOutputValues()).as("nothing of before the checkpoint, again").isEmpty();
        }
    }

    /** At the end of a bounded input the open batches are sent on: the last views are archived, not dropped. */
    @Test
    void theEndOfInputSendsTheOpenBatchesOn() throws Exception {
        var harness = new OneInputStreamOperatorTestHarness<>(new BatchByHour(1000, Duration.ofDays(7)));
        harness.open();
        harness.processElement(new StreamRecord<>(view(NOW - 60, NOW), 1L));
        harness.processElement(new StreamRecord<>(view(NOW - 2 * 3600, NOW), 2L));
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.close(); // finishes the operator, as the end of input does, then closes it

        assertThat(harness.extractOutputValues()).extracting(ArchiveBatch::partition)
                .containsExactlyInAnyOrder("dt=2025-12-05/hour=15", "dt=2025-12-05/hour=14");
    }
}
