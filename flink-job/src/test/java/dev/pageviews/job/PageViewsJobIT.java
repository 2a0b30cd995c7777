package dev.pageviews.job;

import static dev.pageviews.job.ExactRuns.BASE;
import static dev.pageviews.job.ExactRuns.assertExactThrough;
import static dev.pageviews.job.ExactRuns.newRun;
import static dev.pageviews.job.ViewsTraffic.awaitCounts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.job.source.DeadLetter;
import dev.pageviews.job.source.DeadLetterSerializer;
import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisCluster;
import dev.pageviews.stack.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;

/** The job on a real Flink MiniCluster against real Kafka and Redis: counts must be exact, whatever happens. */
@ExtendWith(LocalStackExtension.class)
class PageViewsJobIT extends OnFlinkCluster {

    @Test
    void countsAMixedStreamExactlyWithOutOfOrderLateAndMalformedEvents(LocalStack stack) throws Exception {
        ExactRuns.Run run = newRun(stack, stack.redis().uri(), 2, "--state-backend", "rocksdb");
        Random random = new Random(7);
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic());
                Jedis jedis = stack.redis().client()) {
            for (int i = 0; i < 3000; i++) {
                long outOfOrder = random.nextInt(2); // up to a second behind its neighbours
                traffic.view("u" + random.nextInt(50), "/page/" + random.nextInt(12), BASE + i / 100 - outOfOrder);
            }
            traffic.garbage("not json");
            traffic.garbage("{\"user_id\":1,\"page_url\":\"/x\",\"timestamp\":1730000000}");
            traffic.garbage("");
            traffic.garbage("{\"user_id\":\"u\",\"page_url\":\"/x\",\"timestamp\":1730000000000}");
            traffic.flush();

            JobID job = flink.submit(run.config(), null);
            try {
                // the last windows close although no event follows them
                awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), Duration.ofSeconds(60));

                for (int i = 0; i < 50; i++) {
                    traffic.view("late" + i, "/page/" + (i % 3), BASE); // 30 s behind the watermark by now
                }
                traffic.flush();
                awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), Duration.ofSeconds(30));
                assertThat(traffic.expected().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(3050);
            } finally {
                flink.cancel(job);
            }
            assertThat(deadLetterReasons(stack, run.dlq(), 4)).containsExactlyInAnyOrder(
                    "body: must be a JSON object",
                    "body: is not valid JSON",
                    "user_id: must be a string (got an integer)",
                    "timestamp: must be Unix seconds between 946684800 and 4102444799 (got 1730000000000); "
                            + "this looks like milliseconds: divide by 1000");
        }
    }

    @Test
    void countsEverySpellingOfAPageInItsOneFieldWhileTheArchiveKeepsEachAsSent(LocalStack stack) throws Exception {
        Path archive = LocalStackExtension.newWorkDir().resolve("archive");
        ExactRuns.Run run = newRun(stack, stack.redis().uri(), 2, "--archive-path", archive.toUri().toString(),
                "--archive-format", "parquet", "--max-page-length", "64");
        List<String> spellings = List.of("/docs/", "/docs", "/doc%73#intro", "/a/../docs?", "HTTPS://Example.COM:443/docs/",
                "https://example.com/docs", "/DOCS", "/long/" + "x".repeat(100), "/long/" + "x".repeat(101));
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic());
                Jedis jedis = stack.redis().client()) {
            for (int i = 0; i < spellings.size(); i++) {
                traffic.view("u" + i, spellings.get(i), BASE + i);
            }
            traffic.garbage("{\"user_id\":\"u\",\"page_url\":\"/docs\\ud800\",\"timestamp\":" + BASE + "}");
            traffic.flush();

            JobID job = flink.submit(run.config(), null);
            try {
                awaitCounts(jedis::hgetAll, run.key(), Map.of("/docs", 4L, "https://example.com/docs", 2L, "/DOCS", 1L,
                        "/long/" + "x".repeat(46) + " (truncated)", 2L), Duration.ofSeconds(60));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (ArchivedFiles.views(ArchivedFiles.finished(archive)).size() < spellings.size() && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(200);
                }
            } finally {
                flink.cancel(job);
            }
            assertThat(ArchivedFiles.views(ArchivedFiles.finished(archive))).extracting(a -> a.view().pageUrl())
                    .as("the archive keeps every page_url as sent").containsExactlyInAnyOrderElementsOf(spellings);
            assertThat(deadLetterReasons(stack, run.dlq(), 1)).containsExactly("page_url: must be Unicode text: found an "
                    + "unpaired UTF-16 surrogate at index 5 (a \\uD800-\\uDFFF escape without its other half)");
        }
    }

    @Test
    void aRecordTooLargeForTheDeadLetterProducerIsTruncatedAndTheJobKeepsCounting(LocalStack stack) throws Exception {
        ExactRuns.Run run = newRun(stack, stack.redis().uri(), 2);
        allowLargeRecords(stack, run.topic(), 4 * 1024 * 1024); // views takes it; the producer's 1 MiB limit would refuse it as a dead letter
        byte[] huge = new byte[2 * 1024 * 1024];
        Arrays.fill(huge, (byte) 'x');
        huge[0] = '{';
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic());
                Jedis jedis = stack.redis().client()) {
            JobID job = flink.submit(run.config(), null);
            try {
                for (int i = 0; i < 200; i++) {
                    traffic.view("u" + i, "/big/" + (i % 5), BASE + i / 50);
                }
                traffic.flush();
                produceLarge(stack, run.topic(), huge);
                for (int i = 0; i < 200; i++) {
                    traffic.view("w" + i, "/big/" + (i % 5), BASE + 4 + i / 50);
                }
                traffic.flush();
                awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), Duration.ofSeconds(60));
                assertThat(flink.hasRestarted(job)).as("the job failed on the dead letter and restarted").isFalse();
            } finally {
                flink.cancel(job);
            }
            List<ConsumerRecord<byte[], byte[]>> letters = deadLetters(stack, run.dlq(), 1);
            assertThat(letters).hasSize(1);
            ConsumerRecord<byte[], byte[]> letter = letters.get(0);
            assertThat(letter.value()).hasSize(DeadLetter.MAX_RAW_BYTES).isEqualTo(Arrays.copyOf(huge, DeadLetter.MAX_RAW_BYTES));
            assertThat(header(letter, DeadLetterSerializer.TRUNCATED_HEADER)).isEqualTo("true");
            assertThat(header(letter, DeadLetterSerializer.ORIGINAL_SIZE_HEADER)).isEqualTo(Integer.toString(huge.length));
            assertThat(header(letter, DeadLetterSerializer.REASON_HEADER)).isEqualTo("body: is not valid JSON");
        }
    }

    private static void allowLargeRecords(LocalStack stack, String topic, int maxBytes) throws Exception {
        try (Admin admin = stack.kafka().admin()) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(new AlterConfigOp(
                    new ConfigEntry("max.message.bytes", Integer.toString(maxBytes)), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void produceLarge(LocalStack stack, String topic, byte[] value) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(value.length + 1024 * 1024));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, null, value)).get(30, TimeUnit.SECONDS);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        assertThat(record.headers().lastHeader(key)).as(key).isNotNull();
        return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    @Test
    void atLeastOnceDeliveryFlushesOnWindowFiringsWithoutWaitingForACheckpoint(LocalStack stack) throws Exception {
        // checkpoints every 10 minutes: exactly-once delivery would show nothing for that long
        ExactRuns.Run run = newRun(stack, stack.redis().uri(), 2, "--delivery", "at-least-once", "--checkpoint-interval", "10m");
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic());
                Jedis jedis = stack.redis().client()) {
            JobID job = flink.submit(run.config(), null);
            try {
                for (int i = 0; i < 500; i++) {
                    traffic.view("u" + i, "/alo/" + (i % 9), BASE + i / 100);
                }
                traffic.flush();
                awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), Duration.ofSeconds(20));
            } finally {
                flink.cancel(job);
            }
        }
    }

    @Test
    void countsExactlyIntoARedisCluster(LocalStack stack) throws Exception {
        try (RedisCluster cluster = RedisCluster.start(LocalStackExtension.newWorkDir(), 3);
                RedisClusterClient client = RedisClusterClient.create(cluster.endpoints())) {
            ExactRuns.Run run = newRun(stack, cluster.uri(), 2);
            try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic())) {
                JobID job = flink.submit(run.config(), null);
                try {
                    for (int i = 0; i < 2000; i++) {
                        traffic.view("u" + i, "/c/" + (i % 37), BASE + i / 200);
                    }
                    traffic.flush();
                    awaitCounts(client::hgetAll, run.key(), traffic.expected(), Duration.ofSeconds(40));
                } finally {
                    flink.cancel(job);
                }
            }
        }
    }

    @Test
    void staysExactThroughTaskManagerFailuresAndACrashRestart(LocalStack stack) throws Exception {
        ExactRuns.Run run = newRun(stack, stack.redis().uri(), 2);
        assertExactThrough(flink, stack, run, 40, stack.redis()::client, job -> {
            Thread.sleep(3000);
            flink.killTaskManager(job);
            Thread.sleep(3000);
            flink.killTaskManager(job);
            Thread.sleep(3000);
            flink.cancel(job); // as if the whole job had died: restore from its last retained checkpoint
            Path checkpoint = FlinkCluster.latestCheckpoint(run.dir().resolve("checkpoints")).orElseThrow();
            return flink.submit(run.config(), checkpoint.toUri().toString());
        });
    }

    @Test
    void restoresFromASavepointAtAHigherParallelism(LocalStack stack) throws Exception {
        ExactRuns.Run run = newRun(stack, stack.redis().uri(), 2);
        assertExactThrough(flink, stack, run, 30, stack.redis()::client, job -> {
            Thread.sleep(4000);
            String savepoint = flink.stopWithSavepoint(job, run.dir().resolve("savepoints"));
            Thread.sleep(1000); // views keep arriving while the job is down
            return flink.submit(run.config().with(JobConfig.PARALLELISM, 4), savepoint);
        });
    }

    @Test
    void restoresFromASavepointAtALowerParallelism(LocalStack stack) throws Exception {
        ExactRuns.Run run = newRun(stack, stack.redis().uri(), 4); // all 4 slots of the cluster
        assertExactThrough(flink, stack, run, 30, stack.redis()::client, job -> {
            Thread.sleep(4000);
            String savepoint = flink.stopWithSavepoint(job, run.dir().resolve("savepoints"));
            Thread.sleep(1000); // views keep arriving while the job is down
            return flink.submit(run.config().with(JobConfig.PARALLELISM, 2), savepoint);
        });
    }

    @Test
    void recoversByItselfWhenRedisComesBack(LocalStack stack) throws Exception {
        int port = FreePorts.pick();
        try (RedisServer redis = RedisServer.start(LocalStackExtension.newWorkDir(), port, RedisServer.Persistence.APPEND_ONLY)) {
            ExactRuns.Run run = newRun(stack, redis.uri(), 2);
            assertExactThrough(flink, stack, run, 30, redis::client, job -> {
                Thread.sleep(3000);
                redis.kill();
                Thread.sleep(6000); // commits fail, the job restarts with backoff
                redis.restart();
                return job;
            });
        }
    }

    private static List<String> deadLetterReasons(LocalStack stack, String topic, int expected) {
        return deadLetters(stack, topic, expected).stream().map(r -> header(r, DeadLetterSerializer.REASON_HEADER)).toList();
    }

    /** Reads the dead-letter topic until {@code expected} records arrived (or 30 s), then a second more for any extra. */
    private static List<ConsumerRecord<byte[], byte[]>> deadLetters(LocalStack stack, String topic, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + topic);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (letters.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(letters::add);
            }
            consumer.poll(Duration.ofSeconds(1)).forEach(letters::add); // nothing more than expected arrives
        }
        return letters;
    }
}
