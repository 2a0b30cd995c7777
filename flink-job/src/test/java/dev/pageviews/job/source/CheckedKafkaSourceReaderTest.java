package dev.pageviews.job.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The reader wrapper: splits checked on their way in (restored before start, assigned after), refusals explained. */
class CheckedKafkaSourceReaderTest {

    private static final TopicPartition P0 = new TopicPartition("views", 0);
    private static final TopicPartition P1 = new TopicPartition("views", 1);

    private final RecordingReader inner = new RecordingReader();
    private final List<String> errors = new ArrayList<>();
    private final SimpleCounter outOfRange = new SimpleCounter();
    private int opened;
    private final CheckedKafkaSource.Reader<String> reader = new CheckedKafkaSource.Reader<>(inner,
            new SplitStartCheck(LostOffsets.EARLIEST, "pageviews-job", outOfRange, new SplitStartCheck.Log() {
                @Override
                public void error(String message) {
                    errors.add(message);
                }

                @Override
                public void warn(String message) {}
            }), () -> {
                opened++;
                return new FixedLogs(Map.of(P0, new PartitionOffsets.LogRange(300, 450), P1, new PartitionOffsets.LogRange(300, 450)));
            });

    @Test
    void splitsAddedBeforeStartAreTheRestoredOnesAndAfterItTheAssignedOnes() {
        reader.addSplits(List.of(new KafkaPartitionSplit(P0, 120)));
        reader.start();
        reader.addSplits(List.of(new KafkaPartitionSplit(P1, 120)));

        assertThat(inner.added).containsExactly(new KafkaPartitionSplit(P0, 300), new KafkaPartitionSplit(P1, 300));
        assertThat(errors.get(0)).contains("views-0", "from the checkpoint or savepoint the job restored");
        assertThat(errors.get(1)).contains("views-1", "chosen by the source when the job started");
        assertThat(outOfRange.getCount()).isEqualTo(2);
    }

    @Test
    void aFetchersOffsetOutOfRangeBecomesAFailureThatSaysWhy() {
        inner.failure = new RuntimeException("One or more fetchers have encountered exception",
                new RuntimeException("SplitFetcher thread 0 received unexpected exception while polling the records",
                        new OffsetOutOfRangeException("Fetch position out of range", Map.of(P0, 250L))));

        assertThatThrownBy(() -> reader.pollNext(null))
                .isInstanceOf(LostKafkaOffsetsException.class)
                .hasMessageContaining("views-0: the job was to continue at offset 250 (the consumer's position while reading)")
                .hasMessageContaining("--kafka-lost-offsets (now earliest)");
        assertThat(outOfRange.getCount()).isEqualTo(1);
    }

    @Test
    void otherFailuresPassUnchanged() {
        RuntimeException other = new RuntimeException("One or more fetchers have encountered exception",
                new IllegalStateException("something else"));
        inner.failure = other;

        assertThatThrownBy(() -> reader.pollNext(null)).isSameAs(other);
        assertThat(opened).isZero();
    }

    /** Records the splits it is given; {@code failure} is what its pollNext throws. */
    private static final class RecordingReader implements SourceReader<String, KafkaPartitionSplit> {
        final List<KafkaPartitionSplit> added = new ArrayList<>();
        RuntimeException failure;

        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<String> output) {
            if (failure != null) {
                throw failure;
            }
            return InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
            return added;
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void addSplits(List<KafkaPartitionSplit> splits) {
            added.addAll(splits);
        }

        @Override
        public void notifyNoMoreSplits() {}

        @Override
        public void close() {}
    }

    private record FixedLogs(Map<TopicPartition, LogRange> logs) implements PartitionOffsets {
        @Override
        public Map<TopicPartition, LogRange> logRanges(Collection<TopicPartition> partitions) {
            return logs;
        }

        @Override
        public Map<TopicPartition, Long> committed(Collection<TopicPartition> partitions) {
            return Map.of();
        }

        @Override
        public void close() {}
    }
}
