package dev.pageviews.job.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.kafka.clients.consumer.LogTruncationException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Where each split starts, against a fake broker: kept, moved as the operator chose, or a failure that says why. */
class SplitStartCheckTest {

    private static final TopicPartition P0 = new TopicPartition("views", 0);
    private static final TopicPartition P1 = new TopicPartition("views", 1);
    private static final TopicPartition P2 = new TopicPartition("views", 2);

    private final FakeKafka kafka = new FakeKafka();
    private final SimpleCounter outOfRange = new SimpleCounter();
    private final List<String> errors = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private SplitStartCheck check(LostOffsets choice) {
        return new SplitStartCheck(choice, "pageviews-job", outOfRange, new SplitStartCheck.Log() {
            @Override
            public void error(String message) {
                errors.add(message);
            }

            @Override
            public void warn(String message) {
                warnings.add(message);
            }
        });
    }

    private static KafkaPartitionSplit split(TopicPartition tp, long start) {
        return new KafkaPartitionSplit(tp, start);
    }

    @Test
    void offsetsInsideTheLogAreKeptFromItsStartToItsEnd() {
        kafka.log(P0, 300, 450).log(P1, 300, 450).log(P2, 300, 450);
        List<KafkaPartitionSplit> splits = List.of(split(P0, 300), split(P1, 400), split(P2, 450));

        assertThat(check(LostOffsets.FAIL).check(splits, kafka, true)).isEqualTo(splits);
        assertThat(outOfRange.getCount()).isZero();
        assertThat(errors).isEmpty();
    }

    @Test
    void aRestoredOffsetWithoutACommittedOneInItsGroupIsWarnedAboutAsPerhapsARecreatedTopic() {
        kafka.log(P0, 0, 450).log(P1, 0, 450).log(P2, 0, 450).committed(P1, 400);

        check(LostOffsets.FAIL).check(List.of(split(P0, 120), split(P1, 120), split(P2, 0)), kafka, true);
        check(LostOffsets.FAIL).check(List.of(split(P0, 120)), kafka, false);

        assertThat(warnings).singleElement().asString().startsWith("views-0: continuing at offset 120 from the checkpoint or "
                + "savepoint, but consumer group pageviews-job has no committed offset").contains("deleted and recreated");
    }

    @Test
    void anOffsetBeforeTheLogStartFailsNamingThePartitionTheOffsetsAndTheSetting() {
        kafka.log(P0, 300, 450).log(P1, 0, 80);

        assertThatThrownBy(() -> check(LostOffsets.FAIL).check(List.of(split(P0, 120), split(P1, 50)), kafka, true))
                .isInstanceOf(LostKafkaOffsetsException.class)
                .hasMessageContaining("in 1 partition:")
                .hasMessageContaining("views-0: the job was to continue at offset 120 (from the checkpoint or savepoint")
                .hasMessageContaining("the log now starts at offset 300 (log end 450)")
                .hasMessageContaining("180 records (offsets 120 to 299) were deleted")
                .hasMessageContaining("--kafka-lost-offsets")
                .hasMessageContaining("RUNBOOK.md")
                .message().doesNotContain("views-1");
        assertThat(outOfRange.getCount()).isEqualTo(1);
        assertThat(errors).singleElement().asString().contains("views-0", "offset 120");
    }

    @Test
    void anOffsetPastTheLogEndFailsAndSaysWhatCanCauseIt() {
        kafka.log(P0, 0, 20);

        assertThatThrownBy(() -> check(LostOffsets.FAIL).check(List.of(split(P0, 500)), kafka, true))
                .isInstanceOf(LostKafkaOffsetsException.class)
                .hasMessageContaining("views-0: the job was to continue at offset 500")
                .hasMessageContaining("the log now ends at offset 20 (log start 0)")
                .hasMessageContaining("lost records the job had read")
                .hasMessageContaining("deleted and recreated");
        assertThat(outOfRange.getCount()).isEqualTo(1);
    }

    @Test
    void everyPartitionOutOfRangeIsNamedInOneFailure() {
        kafka.log(P0, 300, 450).log(P1, 0, 20); // P2 does not exist

        assertThatThrownBy(() -> check(LostOffsets.FAIL).check(List.of(split(P0, 120), split(P1, 500), split(P2, 7)), kafka, true))
                .hasMessageContaining("in 3 partitions:")
                .hasMessageContaining("views-0: the job was to continue at offset 120")
                .hasMessageContaining("views-1: the job was to continue at offset 500")
                .hasMessageContaining("views-2: the job was to continue at offset 7 (from the checkpoint or savepoint the job "
                        + "restored), but the partition does not exist");
        assertThat(outOfRange.getCount()).isEqualTo(3);
    }

    @Test
    void earliestMovesToTheLogStartAndSaysWhatThatSkipsOrReadsAgain() {
        kafka.log(P0, 300, 450).log(P1, 0, 20);

        List<KafkaPartitionSplit> checked = check(LostOffsets.EARLIEST)
                .check(List.of(split(P0, 120), split(P1, 500), split(P2, 7)), kafka, true);

        assertThat(checked).containsExactly(split(P0, 300), split(P1, 0), split(P2, KafkaPartitionSplit.EARLIEST_OFFSET));
        assertThat(outOfRange.getCount()).isEqualTo(3);
        assertThat(errors).hasSize(3);
        assertThat(errors.get(0)).contains("views-0", "continuing at the log start 300, as --kafka-lost-offsets earliest says",
                "the 180 deleted records are not counted; nothing is counted twice");
        assertThat(errors.get(1)).contains("views-1", "continuing at the log start 0", "20 records (offsets 0 to 19) are read",
                "right for a recreated topic", "count twice");
        assertThat(errors.get(2)).contains("views-2", "reading it from its start once it exists");
    }

    @Test
    void latestMovesToTheLogEndAndSaysWhatThatSkips() {
        kafka.log(P0, 300, 450).log(P1, 0, 20);

        List<KafkaPartitionSplit> checked = check(LostOffsets.LATEST)
                .check(List.of(split(P0, 120), split(P1, 500), split(P2, 7)), kafka, true);

        assertThat(checked).containsExactly(split(P0, 450), split(P1, 20), split(P2, KafkaPartitionSplit.LATEST_OFFSET));
        assertThat(errors.get(0)).contains("continuing at the log end 450, as --kafka-lost-offsets latest says",
                "the 180 deleted records and 150 records (offsets 300 to 449) still in the log are not counted");
        assertThat(errors.get(1)).contains("continuing at the log end 20", "20 records (offsets 0 to 19) are not counted",
                "produced since the loss");
    }

    @Test
    void movedSplitsKeepTheirPlaceAmongTheOthers() {
        kafka.log(P0, 0, 450).log(P1, 300, 450).log(P2, 0, 450);

        assertThat(check(LostOffsets.EARLIEST).check(List.of(split(P0, 10), split(P1, 120), split(P2, 20)), kafka, false))
                .containsExactly(split(P0, 10), split(P1, 300), split(P2, 20));
    }

    @Test
    void theStoppingOffsetOfAMovedSplitIsKept() {
        kafka.log(P0, 300, 450);

        assertThat(check(LostOffsets.EARLIEST).check(List.of(new KafkaPartitionSplit(P0, 120, 1000)), kafka, true))
                .containsExactly(new KafkaPartitionSplit(P0, 300, 1000));
    }

    @Test
    void theCommittedMarkerBecomesTheGroupsOffsetOrTheEarliestWhenThereIsNone() {
        kafka.log(P0, 0, 450).log(P1, 0, 450).committed(P0, 400);

        List<KafkaPartitionSplit> checked = check(LostOffsets.FAIL).check(
                List.of(split(P0, KafkaPartitionSplit.COMMITTED_OFFSET), split(P1, KafkaPartitionSplit.COMMITTED_OFFSET)), kafka, false);

        assertThat(checked).containsExactly(split(P0, 400), split(P1, KafkaPartitionSplit.EARLIEST_OFFSET));
    }

    @Test
    void aCommittedOffsetOutsideTheLogIsCheckedLikeARestoredOne() {
        kafka.log(P0, 300, 450).committed(P0, 120);

        assertThatThrownBy(() -> check(LostOffsets.FAIL).check(List.of(split(P0, KafkaPartitionSplit.COMMITTED_OFFSET)), kafka, false))
                .hasMessageContaining("views-0: the job was to continue at offset 120 (the consumer group's committed offset");
        assertThat(check(LostOffsets.EARLIEST).check(List.of(split(P0, KafkaPartitionSplit.COMMITTED_OFFSET)), kafka, false))
                .containsExactly(split(P0, 300));
    }

    @Test
    void earliestAndLatestMarkersAreLeftToTheConsumerWithoutAskingKafka() {
        List<KafkaPartitionSplit> splits = List.of(split(P0, KafkaPartitionSplit.EARLIEST_OFFSET),
                split(P1, KafkaPartitionSplit.LATEST_OFFSET));

        assertThat(check(LostOffsets.FAIL).check(splits, kafka, false)).isEqualTo(splits);
        assertThat(kafka.calls).isZero();
    }

    @Test
    void anOffsetTheSourceAssignedIsNamedAsSuch() {
        kafka.log(P0, 300, 450);

        assertThatThrownBy(() -> check(LostOffsets.FAIL).check(List.of(split(P0, 120)), kafka, false))
                .hasMessageContaining("offset 120 (chosen by the source when the job started)");
    }

    @Test
    void theConsumersOutOfRangeIsExplainedWithTheLogAndTheChoice() {
        kafka.log(P0, 300, 450);

        LostKafkaOffsetsException failure = check(LostOffsets.EARLIEST)
                .explain(new OffsetOutOfRangeException("out of range", Map.of(P0, 250L)), kafka);

        assertThat(failure).hasMessageContaining("Kafka refused the job's offsets while reading, in 1 partition")
                .hasMessageContaining("views-0: the job was to continue at offset 250 (the consumer's position while reading)")
                .hasMessageContaining("the log now starts at offset 300 (log end 450)")
                .hasMessageContaining("restarts from its last checkpoint; there, --kafka-lost-offsets (now earliest) decides")
                .hasCauseInstanceOf(OffsetOutOfRangeException.class);
        assertThat(outOfRange.getCount()).isEqualTo(1);
        assertThat(errors).singleElement().isEqualTo(failure.getMessage());
    }

    @Test
    void aTruncatedLogIsExplainedWithWhereItDiverges() {
        kafka.log(P0, 0, 90);

        LostKafkaOffsetsException failure = check(LostOffsets.FAIL).explain(new LogTruncationException("truncated",
                Map.of(P0, 120L), Map.of(P0, new OffsetAndMetadata(90, Optional.of(3), ""))), kafka);

        assertThat(failure).hasMessageContaining("views-0: the log was truncated below offsets the job had read: it now "
                + "diverges from them at offset 90 (leader epoch 3)")
                .hasMessageContaining("the log now starts at offset 0 and ends at 90");
    }

    /** Log ranges and committed offsets as a test sets them; counts the questions asked. */
    private static final class FakeKafka implements PartitionOffsets {
        private final Map<TopicPartition, LogRange> logs = new HashMap<>();
        private final Map<TopicPartition, Long> committed = new HashMap<>();
        int calls;

        FakeKafka log(TopicPartition tp, long start, long end) {
            logs.put(tp, new LogRange(start, end));
            return this;
        }

        FakeKafka committed(TopicPartition tp, long offset) {
            committed.put(tp, offset);
            return this;
        }

        @Override
        public Map<TopicPartition, LogRange> logRanges(Collection<TopicPartition> partitions) {
            calls++;
            Map<TopicPartition, LogRange> answer = new HashMap<>(logs);
            answer.keySet().retainAll(partitions);
            return answer;
        }

        @Override
        public Map<TopicPartition, Long> committed(Collection<TopicPartition> partitions) {
            calls++;
            Map<TopicPartition, Long> answer = new HashMap<>(committed);
            answer.keySet().retainAll(partitions);
            return answer;
        }

        @Override
        public void close() {}
    }
}
