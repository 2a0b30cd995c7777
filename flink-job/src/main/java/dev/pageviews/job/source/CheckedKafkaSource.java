package dev.pageviews.job.source;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.watermark.WatermarkDeclaration;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.lineage.LineageVertex;
import org.apache.flink.streaming.api.lineage.LineageVertexProvider;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;

/**
 * The Kafka source, with every split checked before its consumer reads it ({@link SplitStartCheck}): an offset
 * that no longer exists in its partition fails the job loudly, or moves as {@link LostOffsets} says, instead of
 * meeting Kafka's {@code auto.offset.reset}. The consumer itself runs with {@code auto.offset.reset=none}, so an
 * offset that leaves the log later (between the check and a fetch, or while the job reads) stops it too, and the
 * reader says why.
 *
 * <p>Everything else is the {@link KafkaSource}'s own: its enumerator, its split and enumerator-state serializers
 * (so checkpoints and savepoints of the plain source restore, and the other way round), its produced type and lineage.
 * Why a wrapper around the reader rather than an offsets initializer alone: the initializer decides only for splits
 * the enumerator creates; a split restored from a checkpoint goes straight to its reader, which is the one place that
 * sees every split, restored or new, just before it is read.
 */
public final class CheckedKafkaSource<T>
        implements Source<T, KafkaPartitionSplit, KafkaSourceEnumState>, ResultTypeQueryable<T>, LineageVertexProvider {

    private static final long serialVersionUID = 1L;

    private final KafkaSource<T> source;
    private final Properties connection;
    private final String groupId;
    private final LostOffsets lostOffsets;
    private final String securitySetting;
    private final String topic;
    private final String deadLetterTopic;

    private CheckedKafkaSource(KafkaSource<T> source, Properties connection, String groupId, LostOffsets lostOffsets,
            String securitySetting, String topic, String deadLetterTopic) {
        this.source = source;
        this.connection = connection;
        this.groupId = groupId;
        this.lostOffsets = lostOffsets;
        this.securitySetting = securitySetting;
        this.topic = topic;
        this.deadLetterTopic = deadLetterTopic;
    }

    /**
     * Builds {@code builder} (topics, group, deserializer, connection properties set; starting offsets not) to start
     * without state at {@code start}, and wraps it. {@code connection} are the builder's Kafka connection properties
     * (bootstrap servers, security), for the admin client that reads the partitions' log ranges. {@code
     * securitySetting} names the setting that holds the security properties, for the error when Kafka refuses the
     * credentials or an ACL is missing ({@link KafkaAccessDenied}). The enumerator checks at its start that the job
     * may read {@code topic} (the builder's) and write to {@code deadLetterTopic} ({@link TopicAccess}).
     */
    public static <T> CheckedKafkaSource<T> build(KafkaSourceBuilder<T> builder, OffsetsInitializer start,
            Properties connection, String groupId, LostOffsets lostOffsets, String securitySetting, String topic,
            String deadLetterTopic) {
        KafkaSource<T> source = builder.setStartingOffsets(new NoAutoOffsetReset(start)).build();
        return new CheckedKafkaSource<>(source, connection, groupId, lostOffsets, securitySetting, topic, deadLetterTopic);
    }

    @Override
    public SourceReader<T, KafkaPartitionSplit> createReader(SourceReaderContext context) throws Exception {
        SplitStartCheck check = new SplitStartCheck(lostOffsets, groupId, context.metricGroup().counter(SplitStartCheck.METRIC));
        String clientId = groupId + "-offsets-check-" + context.getIndexOfSubtask();
        return new Reader<>(source.createReader(context), check, () -> new AdminPartitionOffsets(connection, groupId, clientId));
    }

    @Override
    public Boundedness getBoundedness() {
        return source.getBoundedness();
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context) throws Exception {
        TopicAccess.check(connection, topic, deadLetterTopic, securitySetting);
        return source.createEnumerator(named(context));
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState state) throws Exception {
        TopicAccess.check(connection, topic, deadLetterTopic, securitySetting);
        return source.restoreEnumerator(named(context), state);
    }

    private SplitEnumeratorContext<KafkaPartitionSplit> named(SplitEnumeratorContext<KafkaPartitionSplit> context) {
        return KafkaAccessDenied.naming(context, connection.getProperty("bootstrap.servers"), securitySetting);
    }

    @Override
    public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
        return source.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
        return source.getEnumeratorCheckpointSerializer();
    }

    @Override
    public Set<? extends WatermarkDeclaration> declareWatermarks() {
        return source.declareWatermarks();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return source.getProducedType();
    }

    @Override
    public LineageVertex getLineageVertex() {
        return source.getLineageVertex();
    }

    /**
     * The starting offsets of {@code offsets}, with {@code auto.offset.reset=none} for the consumer (the builder takes
     * that setting from the starting offsets initializer and overrides any property). Committed-offset markers are
     * resolved by {@link SplitStartCheck}, which falls back to the earliest offset as the consumer did.
     */
    private record NoAutoOffsetReset(OffsetsInitializer offsets) implements OffsetsInitializer {

        @Override
        public Map<TopicPartition, Long> getPartitionOffsets(Collection<TopicPartition> partitions,
                PartitionOffsetsRetriever retriever) {
            return offsets.getPartitionOffsets(partitions, retriever);
        }

        @Override
        @SuppressWarnings("deprecation") // the connector's interface still takes Kafka's deprecated enum
        public OffsetResetStrategy getAutoOffsetResetStrategy() {
            return OffsetResetStrategy.NONE;
        }
    }

    /** The Kafka source reader, with its splits checked as they come and the consumer's refusals explained. */
    static final class Reader<T> implements SourceReader<T, KafkaPartitionSplit> {

        private final SourceReader<T, KafkaPartitionSplit> reader;
        private final SplitStartCheck check;
        private final Supplier<PartitionOffsets> kafka;
        private boolean started;

        Reader(SourceReader<T, KafkaPartitionSplit> reader, SplitStartCheck check, Supplier<PartitionOffsets> kafka) {
            this.reader = reader;
            this.check = check;
            this.kafka = kafka;
        }

        @Override
        public void start() {
            started = true;
            reader.start();
        }

        /** Flink adds a reader's restored splits before it starts it, and the enumerator's assignments after. */
        @Override
        public void addSplits(List<KafkaPartitionSplit> splits) {
            try (PartitionOffsets offsets = kafka.get()) {
                reader.addSplits(check.check(splits, offsets, !started));
            }
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            try {
                return reader.pollNext(output);
            } catch (Exception e) {
                // the fetcher thread's exception arrives wrapped ("One or more fetchers have encountered exception")
                InvalidOffsetException refused = ExceptionUtils.findThrowable(e, InvalidOffsetException.class).orElse(null);
                if (refused == null) {
                    throw e;
                }
                try (PartitionOffsets offsets = kafka.get()) {
                    throw check.explain(refused, offsets);
                }
            }
        }

        @Override
        public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
            return reader.snapshotState(checkpointId);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return reader.isAvailable();
        }

        @Override
        public void notifyNoMoreSplits() {
            reader.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            reader.handleSourceEvents(event);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            reader.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            reader.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {
            reader.pauseOrResumeSplits(toPause, toResume);
        }

        @Override
        public void close() throws Exception {
            reader.close();
        }
    }
}
