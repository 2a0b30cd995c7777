package dev.pageviews.job.source;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.metrics.Counter;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.clients.consumer.LogTruncationException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides where each Kafka split a source reader is given starts, before its consumer sees it, so that an offset that
 * is no longer in its partition never meets Kafka's {@code auto.offset.reset}, which would re-read the partition or
 * skip views without a word. The consumer runs with {@code auto.offset.reset=none}: what this check cannot see (the
 * log moving between the check and the first fetch, or while the job reads) makes the consumer throw, and
 * {@link #explain} turns that into a failure that says the same as this check would.
 *
 * <ul>
 *   <li>An offset inside the partition's log (start to end, both included) is kept.</li>
 *   <li>An offset before the log start (retention or {@code deleteRecords} removed records the job had not read),
 *       past the log end (the log lost its tail, or the topic was deleted and recreated), or of a partition that does
 *       not exist fails the job ({@link LostOffsets#FAIL}), naming partition, offsets and the choices, or moves to the
 *       log start or end as the operator chose; either way counted in {@value #METRIC} and logged at ERROR with what
 *       was skipped or is read again.</li>
 *   <li>The committed-offset marker ({@code committed-or-earliest}, and splits restored before a first record was
 *       read) becomes the group's committed offset, checked as above, or the earliest offset when there is none: what
 *       the consumer did by itself with {@code auto.offset.reset=earliest}.</li>
 *   <li>The earliest and latest markers are kept: the consumer seeks to the log's start or end itself.</li>
 * </ul>
 *
 * What no check of offsets can see: an offset that exists but now holds other records (a topic recreated, or a
 * truncated log written again, past the offset). The split state holds only the offset, not the topic id or the
 * leader epoch of the record before it. A restored offset whose partition has no committed offset in the group is
 * logged at WARN, as Kafka deletes a topic's committed offsets with the topic.
 */
final class SplitStartCheck {

    static final String METRIC = "kafkaPartitionsOutOfRange";

    private static final Logger LOG = LoggerFactory.getLogger(SplitStartCheck.class);

    private final LostOffsets choice;
    private final String groupId;
    private final Counter outOfRange;
    private final Log out;

    /** Where the check's ERROR and WARN lines go: SLF4J, or a test's list. */
    interface Log {
        void error(String message);

        void warn(String message);
    }

    private static final Log SLF4J = new Log() {
        @Override
        public void error(String message) {
            LOG.error("{}", message);
        }

        @Override
        public void warn(String message) {
            LOG.warn("{}", message);
        }
    };

    SplitStartCheck(LostOffsets choice, String groupId, Counter outOfRange) {
        this(choice, groupId, outOfRange, SLF4J);
    }

    SplitStartCheck(LostOffsets choice, String groupId, Counter outOfRange, Log log) {
        this.choice = choice;
        this.groupId = groupId;
        this.outOfRange = outOfRange;
        this.out = log;
    }

    /** Where a split's offset came from, as the messages say it. */
    enum Origin {
        RESTORED("from the checkpoint or savepoint the job restored"),
        ASSIGNED("chosen by the source when the job started"),
        COMMITTED("the consumer group's committed offset; the job had no state for the partition"),
        POSITION("the consumer's position while reading");

        private final String text;

        Origin(String text) {
            this.text = text;
        }
    }

    /**
     * The splits to read, each starting where it safely can; {@code restored}: the splits come from the reader's
     * checkpoint or savepoint (else the source assigned them). Asks {@code kafka} only when a split has an offset to
     * check. Throws {@link LostKafkaOffsetsException} when an offset is gone and the choice is {@link LostOffsets#FAIL}.
     */
    List<KafkaPartitionSplit> check(List<KafkaPartitionSplit> splits, PartitionOffsets kafka, boolean restored) {
        List<TopicPartition> toLookUp = splits.stream()
                .filter(s -> s.getStartingOffset() >= 0 || s.getStartingOffset() == KafkaPartitionSplit.COMMITTED_OFFSET)
                .map(KafkaPartitionSplit::getTopicPartition)
                .toList();
        if (toLookUp.isEmpty()) {
            return splits;
        }
        Map<TopicPartition, Long> committed = kafka.committed(toLookUp);
        Map<TopicPartition, PartitionOffsets.LogRange> logs = kafka.logRanges(toLookUp);

        List<KafkaPartitionSplit> checked = new ArrayList<>(splits.size()); // in the given order; gone ones filled in last
        List<Gone> gone = new ArrayList<>();
        for (KafkaPartitionSplit split : splits) {
            TopicPartition tp = split.getTopicPartition();
            long offset = split.getStartingOffset();
            Origin origin = restored ? Origin.RESTORED : Origin.ASSIGNED;
            if (offset == KafkaPartitionSplit.COMMITTED_OFFSET) {
                Long groupOffset = committed.get(tp);
                if (groupOffset == null) {
                    LOG.info("{}: consumer group {} has no committed offset; reading from the earliest offset", tp, groupId);
                    checked.add(withStart(split, KafkaPartitionSplit.EARLIEST_OFFSET));
                    continue;
                }
                offset = groupOffset;
                origin = Origin.COMMITTED;
            } else if (offset < 0) {
                checked.add(split); // earliest or latest: the consumer asks the broker itself
                continue;
            }
            PartitionOffsets.LogRange log = logs.get(tp);
            if (log != null && log.contains(offset)) {
                if (origin == Origin.RESTORED && offset > log.start() && !committed.containsKey(tp)) {
                    out.warn(tp + ": continuing at offset " + offset + " from the checkpoint or savepoint, but consumer "
                            + "group " + groupId + " has no committed offset for the partition. Kafka deletes a topic's "
                            + "committed offsets with the topic: if " + tp.topic() + " was deleted and recreated since that "
                            + "checkpoint, offset " + offset + " now points into the new topic and its records before it "
                            + "are never read (see 'Kafka offsets that no longer exist' in flink-operator/RUNBOOK.md). "
                            + "Otherwise the group's offsets expired (offsets.retention.minutes) or --group-id changed, "
                            + "and nothing is wrong.");
                }
                checked.add(withStart(split, offset));
            } else {
                gone.add(new Gone(checked.size(), split, offset, origin, Optional.ofNullable(log)));
                checked.add(split);
            }
        }
        if (gone.isEmpty()) {
            return checked;
        }
        outOfRange.inc(gone.size());
        if (choice == LostOffsets.FAIL) {
            String message = "Kafka offsets the job was to continue from no longer exist, in " + gone.size() + " partition"
                    + (gone.size() == 1 ? "" : "s") + ":\n"
                    + gone.stream().map(g -> " - " + g.describe()).collect(Collectors.joining("\n")) + "\n"
                    + "The job does not guess: Kafka's auto.offset.reset would re-read or skip views without a word. " + CHOICES;
            out.error(message);
            throw new LostKafkaOffsetsException(message);
        }
        for (Gone g : gone) {
            long start = choice == LostOffsets.EARLIEST
                    ? g.log.map(PartitionOffsets.LogRange::start).orElse(KafkaPartitionSplit.EARLIEST_OFFSET)
                    : g.log.map(PartitionOffsets.LogRange::end).orElse(KafkaPartitionSplit.LATEST_OFFSET);
            out.error(g.describe() + "; " + g.outcome(choice));
            checked.set(g.index, withStart(g.split, start));
        }
        return checked;
    }

    /**
     * The failure to raise for the consumer's own refusal to go on ({@code auto.offset.reset=none}): an offset left
     * the log between the check and a fetch, or while the job read (retention overtaking a lagging job, a truncated
     * log). The task fails; the job restarts from its last checkpoint, where {@link #check} applies the choice.
     */
    LostKafkaOffsetsException explain(InvalidOffsetException refused, PartitionOffsets kafka) {
        Set<TopicPartition> partitions = refused.partitions();
        Map<TopicPartition, PartitionOffsets.LogRange> logs;
        try {
            logs = kafka.logRanges(partitions);
        } catch (RuntimeException e) {
            LOG.warn("Could not read the log ranges of {} for the message", partitions, e);
            logs = Map.of();
        }
        List<String> lines = new ArrayList<>();
        if (refused instanceof LogTruncationException truncated) {
            for (Map.Entry<TopicPartition, OffsetAndMetadata> diverged : truncated.divergentOffsets().entrySet()) {
                lines.add(diverged.getKey() + ": the log was truncated below offsets the job had read: it now diverges from "
                        + "them at offset " + diverged.getValue().offset()
                        + diverged.getValue().leaderEpoch().map(e -> " (leader epoch " + e + ")").orElse("")
                        + " (an unclean leader election, a broker's lost disk); " + logText(logs.get(diverged.getKey())));
            }
        } else if (refused instanceof OffsetOutOfRangeException outside) {
            for (Map.Entry<TopicPartition, Long> position : outside.offsetOutOfRangePartitions().entrySet()) {
                PartitionOffsets.LogRange log = logs.get(position.getKey());
                lines.add(log == null
                        ? position.getKey() + ": the consumer's position " + position.getValue() + " is out of range and "
                                + "the partition does not exist now"
                        : new Gone(0, new KafkaPartitionSplit(position.getKey(), position.getValue()), position.getValue(),
                                Origin.POSITION, Optional.of(log)).describe());
            }
        } else {
            for (TopicPartition tp : partitions) {
                lines.add(tp + ": the consumer has no offset to start from (" + refused.getMessage() + ")");
            }
        }
        outOfRange.inc(partitions.size());
        String message = "Kafka refused the job's offsets while reading, in " + partitions.size() + " partition"
                + (partitions.size() == 1 ? "" : "s") + ":\n"
                + lines.stream().map(l -> " - " + l).collect(Collectors.joining("\n")) + "\n"
                + "The job fails and restarts from its last checkpoint; there, " + LostOffsets.FLAG + " (now "
                + spelled(choice) + ") decides what happens to an offset that no longer exists. " + CHOICES;
        out.error(message);
        return new LostKafkaOffsetsException(message, refused);
    }

    private static final String CHOICES = "Choose with " + LostOffsets.FLAG + " and restart from the same checkpoint or "
            + "savepoint: earliest continues at each such partition's log start (before it: misses only the records "
            + "already deleted; past the log end: reads the partition again, which is exact for a recreated topic and "
            + "counts twice what was counted before a lost tail), latest at its log end (skips every record still before "
            + "it). See 'Kafka offsets that no longer exist' in flink-operator/RUNBOOK.md.";

    private static KafkaPartitionSplit withStart(KafkaPartitionSplit split, long start) {
        return start == split.getStartingOffset() ? split : new KafkaPartitionSplit(split.getTopicPartition(), start,
                split.getStoppingOffset().orElse(KafkaPartitionSplit.NO_STOPPING_OFFSET));
    }

    private static String spelled(LostOffsets choice) {
        return choice.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String logText(PartitionOffsets.LogRange log) {
        return log == null ? "the partition does not exist now"
                : "the log now starts at offset " + log.start() + " and ends at " + log.end();
    }

    /** {@code n records (offsets a to b)}, or {@code no records}. */
    private static String records(long from, long to) {
        long n = to - from;
        return n <= 0 ? "no records" : n + (n == 1 ? " record" : " records") + " (offset" + (n == 1 ? " " + from
                : "s " + from + " to " + (to - 1)) + ")";
    }

    /** The split at {@code index}, whose offset is not in its partition's log ({@code log} empty: no such partition). */
    private record Gone(int index, KafkaPartitionSplit split, long offset, Origin origin, Optional<PartitionOffsets.LogRange> log) {

        String describe() {
            TopicPartition tp = split.getTopicPartition();
            String what = tp + ": the job was to continue at offset " + offset + " (" + origin.text + ")";
            if (log.isEmpty()) {
                return what + ", but the partition does not exist: its topic was deleted, or recreated with fewer partitions";
            }
            PartitionOffsets.LogRange range = log.get();
            if (offset < range.start()) {
                return what + ", but the log now starts at offset " + range.start() + " (log end " + range.end() + "): "
                        + records(offset, range.start()) + " were deleted (retention, or deleteRecords) before the job read "
                        + "them";
            }
            return what + ", but the log now ends at offset " + range.end() + " (log start " + range.start() + "): the "
                    + "partition lost records the job had read (an unclean leader election, a broker's lost disk), or the "
                    + "topic was deleted and recreated";
        }

        String outcome(LostOffsets choice) {
            String as = "as " + LostOffsets.FLAG + " " + spelled(choice) + " says";
            if (log.isEmpty()) {
                return (choice == LostOffsets.EARLIEST ? "reading it from its start" : "reading it from its end")
                        + " once it exists, " + as;
            }
            PartitionOffsets.LogRange range = log.get();
            boolean before = offset < range.start();
            if (choice == LostOffsets.EARLIEST) {
                return before
                        ? "continuing at the log start " + range.start() + ", " + as + ": the " + (range.start() - offset)
                                + " deleted records are not counted; nothing is counted twice"
                        : "continuing at the log start " + range.start() + ", " + as + ": " + records(range.start(), range.end())
                                + " are read: right for a recreated topic; after a lost tail, the views among them that were "
                                + "counted before the loss count twice (copies of a client's event_id within --dedup-window "
                                + "excepted)";
            }
            return before
                    ? "continuing at the log end " + range.end() + ", " + as + ": the " + (range.start() - offset)
                            + " deleted records and " + records(range.start(), range.end()) + " still in the log are not counted"
                    : "continuing at the log end " + range.end() + ", " + as + ": " + records(range.start(), range.end())
                            + " are not counted: after a lost tail, the views among them produced since the loss; for a "
                            + "recreated topic, all of them";
        }
    }
}
