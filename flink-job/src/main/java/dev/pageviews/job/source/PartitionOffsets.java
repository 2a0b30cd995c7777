package dev.pageviews.job.source;

import java.util.Collection;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/** What Kafka says about partitions now: the seam between {@link SplitStartCheck} and a broker. */
interface PartitionOffsets extends AutoCloseable {

    /** The offsets a partition's log holds: records at {@code start} up to, not including, {@code end}. */
    record LogRange(long start, long end) {
        boolean contains(long offset) {
            return offset >= start && offset <= end; // end itself is where the next record goes: nothing lost
        }
    }

    /** The log range of each partition that exists; a partition that does not exist is left out. */
    Map<TopicPartition, LogRange> logRanges(Collection<TopicPartition> partitions);

    /** The consumer group's committed offset of each partition that has one; the others are left out. */
    Map<TopicPartition, Long> committed(Collection<TopicPartition> partitions);

    @Override
    void close();
}
