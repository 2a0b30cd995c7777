package dev.pageviews.job;

import static dev.pageviews.job.ExactRuns.BASE;
import static dev.pageviews.job.ExactRuns.newRun;
import static dev.pageviews.job.ViewsTraffic.awaitCounts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.job.source.LostOffsets;
import dev.pageviews.job.source.RawView;
import dev.pageviews.job.source.RawViewDeserializer;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * A job restored from a savepoint whose Kafka offsets no longer exist in their partitions, against a real broker:
 * records deleted before the job read them (retention, here {@code deleteRecords}), and a topic deleted and
 * recreated with fewer records than the job had read. Either must stop the job with a failure naming partition and
 * offsets, count nothing meanwhile, and do exactly what the documented {@code --kafka-lost-offsets} choice says.
 * Kafka's own {@code auto.offset.reset=earliest} would have skipped or re-read the views without a word.
 */
@ExtendWith(LocalStackExtension.class)
class KafkaOffsetsLostIT extends OnFlinkCluster {

    private static final int PARTITIONS = LocalStack.VIEWS_PARTITIONS;
    private static final int READ = 25; // views per partition the job reads before its savepoint

    private JobID submit(JobConfig config, String restorePath) throws Exception {
        return flink.submit(config, restorePath);
    }

    @Test
    void recordsDeletedBeforeTheJobReadThemFailTheRestoreUntilEarliestSkipsExactlyThem(LocalStack stack) throws Exception {
        ExactRuns.Run run = newRun(stack, stack.redis().uri(), 2);
        String savepoint = readThenSavepoint(stack, run);
        int unread = 30;
        int deleted = 10;
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic())) {
            produce(traffic, "/after", unread);
        }
        try (Admin admin = stack.kafka().admin()) {
            Map<TopicPartition, RecordsToDelete> before = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                before.put(new TopicPartition(run.topic(), p), RecordsToDelete.beforeOffset(READ + deleted));
            }
            admin.deleteRecords(before).all().get(30, TimeUnit.SECONDS);
        }

        assertRefused(stack, run, savepoint, "the job was to continue at offset " + READ + " (from the checkpoint or savepoint the "
                + "job restored), but the log now starts at offset " + (READ + deleted) + " (log end " + (READ + unread) + "): "
                + deleted + " records (offsets " + READ + " to " + (READ + deleted - 1) + ") were deleted");

        // earliest: the views retention deleted are gone; every view still in Kafka is counted, none twice
        JobID job = submit(run.config().with(JobConfig.KAFKA_LOST_OFFSETS, LostOffsets.EARLIEST), savepoint);
        try (Jedis jedis = stack.redis().client()) {
            awaitCounts(jedis::hgetAll, run.key(), Map.of("/before", (long) PARTITIONS * READ,
                    "/after", (long) PARTITIONS * (unread - deleted)), Duration.ofSeconds(60));
        }
        assertThat(flink.awaitMetricSum(job, "kafkaPartitionsOutOfRange", PARTITIONS)).isEqualTo(PARTITIONS);
        flink.cancel(job);
    }

    @Test
    void aTopicRecreatedWithFewerRecordsFailsTheRestoreUntilEarliestReadsTheNewTopic(LocalStack stack) throws Exception {
        ExactRuns.Run run = newRun(stack, stack.redis().uri(), 2);
        String savepoint = readThenSavepoint(stack, run);
        int recreated = 10;
        recreate(stack, run.topic());
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic())) {
            produce(traffic, "/recreated", recreated);
        }

        assertRefused(stack, run, savepoint, "the job was to continue at offset " + READ + " (from the checkpoint or savepoint the "
                + "job restored), but the log now ends at offset " + recreated + " (log start 0)");

        // earliest: for a recreated topic every record in it is new, so reading it from its start is exact
        JobID job = submit(run.config().with(JobConfig.KAFKA_LOST_OFFSETS, LostOffsets.EARLIEST), savepoint);
        try (Jedis jedis = stack.redis().client()) {
            awaitCounts(jedis::hgetAll, run.key(), Map.of("/before", (long) PARTITIONS * READ,
                    "/recreated", (long) PARTITIONS * recreated), Duration.ofSeconds(60));
        }
        assertThat(flink.awaitMetricSum(job, "kafkaPartitionsOutOfRange", PARTITIONS)).isEqualTo(PARTITIONS);
        flink.cancel(job);
    }

    @Test
    void aTopicRecreatedUnderTheRunningJobStopsItRatherThanReadingOnFromTheStart(LocalStack stack) throws Exception {
        ExactRuns.Run run = newRun(stack, stack.redis().uri(), 2);
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic())) {
            produce(traffic, "/before", READ);
        }
        JobID job = submit(run.config(), null);
        Map<String, Long> before = Map.of("/before", (long) PARTITIONS * READ);
        try (Jedis jedis = stack.redis().client()) {
            awaitCounts(jedis::hgetAll, run.key(), before, Duration.ofSeconds(60));
        }
        int recreated = 10;
        recreate(stack, run.topic());
        try (Admin admin = stack.kafka().admin()) {
            assertThat(admin.listConsumerGroupOffsets(run.config().groupId()).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS))
                    .as("Kafka deleted the group's committed offsets with the topic (what the restore's warning relies on)")
                    .isEmpty();
        }
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic())) {
            produce(traffic, "/recreated", recreated);
        }

        // the consumer's position (25) is past the new log's end (still empty, or with up to 10 records): with
        // auto.offset.reset=none it stops, and says why
        flink.awaitFailure(job);
        List<String> failures = flink.failures(job);
        assertThat(failures.get(failures.size() - 1))
                .contains("LostKafkaOffsetsException: Kafka refused the job's offsets while reading")
                .containsPattern(run.topic() + "-[0-3]: the job was to continue at offset " + READ
                        + " \\(the consumer's position while reading\\), but the log now ends at offset \\d+ \\(log start 0\\)")
                .contains("--kafka-lost-offsets (now fail)");
        Thread.sleep(2000);
        try (Jedis jedis = stack.redis().client()) {
            assertThat(ViewsTraffic.counts(jedis::hgetAll, run.key())).as("nothing read again").isEqualTo(before);
        }
        flink.cancel(job);

        String checkpoint = FlinkCluster.latestCheckpoint(run.dir().resolve("checkpoints")).orElseThrow().toUri().toString();
        job = submit(run.config().with(JobConfig.KAFKA_LOST_OFFSETS, LostOffsets.EARLIEST), checkpoint);
        try (Jedis jedis = stack.redis().client()) {
            awaitCounts(jedis::hgetAll, run.key(), Map.of("/before", (long) PARTITIONS * READ,
                    "/recreated", (long) PARTITIONS * recreated), Duration.ofSeconds(60));
        }
        flink.cancel(job);
    }

    @Test
    void aSavepointOfThePlainKafkaSourceRestoresAtItsOffsetsIncludingAnUnreadPartitionsMarker(LocalStack stack) throws Exception {
        ExactRuns.Run run = newRun(stack, stack.redis().uri(), 2);
        // partition 3 stays empty, so the plain source saves its split with the committed-offset marker
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic())) {
            for (int p = 0; p < PARTITIONS - 1; p++) {
                for (int i = 0; i < READ; i++) {
                    traffic.view(p, null, "u" + i, "/old", BASE + i).get(30, TimeUnit.SECONDS);
                }
            }
        }
        // the source as it was configured before the offsets check, under the same uid, reading into nothing
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.of(run.config()));
        env.setParallelism(2);
        env.fromSource(KafkaSource.<RawView>builder()
                        .setBootstrapServers(run.config().kafkaBootstrap())
                        .setTopics(run.topic())
                        .setGroupId(run.config().groupId())
                        .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                        .setDeserializer(new RawViewDeserializer())
                        .setProperty("commit.offsets.on.checkpoint", "true")
                        .build(), WatermarkStrategy.noWatermarks(), "kafka: " + run.topic())
                .uid(PageViewsTopology.SOURCE_UID)
                .sinkTo(new DiscardingSink<>());
        JobID plain = flink.submit(env.getStreamGraph(), null);
        awaitCommitted(stack, run, READ, PARTITIONS - 1);
        String savepoint = flink.stopWithSavepoint(plain, run.dir().resolve("savepoints"));

        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic())) {
            produce(traffic, "/new", 10);
        }
        JobID job = submit(run.config(), savepoint);
        try (Jedis jedis = stack.redis().client()) {
            // the views before the savepoint were read by the plain job (and not counted): only the new ones count
            awaitCounts(jedis::hgetAll, run.key(), Map.of("/new", (long) PARTITIONS * 10), Duration.ofSeconds(60));
        }
        assertThat(flink.metricSum(job, "kafkaPartitionsOutOfRange")).isZero();
        flink.cancel(job);
    }

    /** Waits until the job's consumer group has committed offset {@code offset} for partitions 0 to {@code partitions - 1}. */
    private static void awaitCommitted(LocalStack stack, ExactRuns.Run run, long offset, int partitions) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (Admin admin = stack.kafka().admin()) {
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(run.config().groupId())
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                long done = committed.values().stream().filter(o -> o != null && o.offset() == offset).count();
                if (done == partitions) {
                    return;
                }
                assertThat(System.nanoTime()).as("committed offsets %s reach %d", committed, offset).isLessThan(deadline);
                Thread.sleep(200);
            }
        }
    }

    /** {@link #READ} views of {@code /before} per partition, counted by a job that then stops with a savepoint. */
    private String readThenSavepoint(LocalStack stack, ExactRuns.Run run) throws Exception {
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic())) {
            produce(traffic, "/before", READ);
        }
        JobID job = submit(run.config(), null);
        try (Jedis jedis = stack.redis().client()) {
            awaitCounts(jedis::hgetAll, run.key(), Map.of("/before", (long) PARTITIONS * READ), Duration.ofSeconds(60));
        }
        return flink.stopWithSavepoint(job, run.dir().resolve("savepoints"));
    }

    /** The job restored from {@code savepoint} fails, saying {@code why} and what to do, and counts nothing. */
    private void assertRefused(LocalStack stack, ExactRuns.Run run, String savepoint, String why) throws Exception {
        Map<String, Long> before;
        try (Jedis jedis = stack.redis().client()) {
            before = ViewsTraffic.counts(jedis::hgetAll, run.key());
        }
        JobID refused = submit(run.config(), savepoint);
        String failure = flink.awaitFailure(refused);
        assertThat(failure)
                .contains("LostKafkaOffsetsException: Kafka offsets the job was to continue from no longer exist")
                .containsPattern(run.topic() + "-[0-3]: " + java.util.regex.Pattern.quote(why))
                .contains("Choose with --kafka-lost-offsets");
        Thread.sleep(2000);
        try (Jedis jedis = stack.redis().client()) {
            assertThat(ViewsTraffic.counts(jedis::hgetAll, run.key())).as("nothing counted while refused").isEqualTo(before);
        }
        flink.cancel(refused);
    }

    /** {@code perPartition} views of {@code page} to each partition. */
    private static void produce(ViewsTraffic traffic, String page, int perPartition) throws Exception {
        for (int p = 0; p < PARTITIONS; p++) {
            for (int i = 0; i < perPartition; i++) {
                traffic.view(p, null, "u" + i, page, BASE + i).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Deletes the topic and creates it again, empty, with as many partitions (Kafka needs a moment in between). */
    private static void recreate(LocalStack stack, String topic) throws Exception {
        try (Admin admin = stack.kafka().admin()) {
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
        }
    }
}
