package dev.pageviews.job;

import static dev.pageviews.job.ViewsTraffic.awaitCounts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.flink.api.common.JobID;
import redis.clients.jedis.Jedis;

/**
 * Jobs of their own (topic, dead-letter topic, group, Redis hash, checkpoint dir) under steady traffic, for tests
 * that disrupt a job and then require Redis to hold exactly the views produced: none lost, none counted twice.
 */
final class ExactRuns {

    static final long BASE = 1_730_000_000L;
    private static final AtomicInteger RUN = new AtomicInteger();

    private ExactRuns() {}

    record Run(String topic, String dlq, String key, Path dir, JobConfig config) {}

    /** What a test does to the running job while views flow; returns the job that runs afterwards. */
    interface Disruption {
        JobID apply(JobID job) throws Exception;
    }

    /** What a test checks of the job after the counts came out exact. */
    interface Afterwards {
        void check(JobID job) throws Exception;
    }

    static Run newRun(LocalStack stack, String redisUri, int parallelism, String... extra) {
        int n = RUN.incrementAndGet();
        String topic = "exact-views-" + n;
        String dlq = "exact-views-dlq-" + n;
        stack.kafka().createTopic(topic, LocalStack.VIEWS_PARTITIONS);
        stack.kafka().createTopic(dlq, 1);
        Path dir = LocalStackExtension.newWorkDir();
        List<String> args = new ArrayList<>(List.of(
                "--kafka-bootstrap", stack.kafka().bootstrapServers(),
                "--topic", topic, "--dlq-topic", dlq, "--group-id", "job-it-" + n,
                "--redis", redisUri, "--redis-key", "page_views_" + n,
                "--window", "1s", "--out-of-orderness", "1s", "--idle-timeout", "500ms",
                "--checkpoint-interval", "500ms", "--checkpoint-dir", dir.resolve("checkpoints").toUri().toString(),
                "--parallelism", Integer.toString(parallelism)));
        args.addAll(List.of(extra));
        return new Run(topic, dlq, "page_views_" + n, dir, JobConfig.parse(args.toArray(String[]::new), Map.of()));
    }

    /**
     * Runs the job under steady traffic ({@code rounds} of 400 views), lets {@code disruption} fail, stop or restore
     * it, and asserts that Redis ends up with exactly the views produced.
     */
    static void assertExactThrough(FlinkCluster flink, LocalStack stack, Run run, int rounds, Supplier<Jedis> redis,
            Disruption disruption) throws Exception {
        assertExactThrough(flink, stack, run, rounds, redis, disruption, job -> { });
    }

    static void assertExactThrough(FlinkCluster flink, LocalStack stack, Run run, int rounds, Supplier<Jedis> redis,
            Disruption disruption, Afterwards afterwards) throws Exception {
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic())) {
            JobID job = flink.submit(run.config(), null);
            Thread producer = steadyTraffic(traffic, rounds, 400);
            try {
                job = disruption.apply(job);
                producer.join();
                traffic.flush();
                try (Jedis jedis = redis.get()) {
                    awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), Duration.ofSeconds(120));
                }
                assertThat(traffic.sent()).isEqualTo(rounds * 400L);
                afterwards.check(job);
            } finally {
                producer.interrupt();
                if (!flink.status(job).isGloballyTerminalState()) {
                    flink.cancel(job);
                }
            }
        }
    }

    /**
     * Sends {@code rounds} rounds of {@code perRound} views, one round every 250 ms, event time advancing a
     * second per round: windows fire between any two checkpoints, so every checkpoint holds increments to
     * commit, and every restore has commits to apply again (which must be skipped, not applied twice).
     */
    static Thread steadyTraffic(ViewsTraffic traffic, int rounds, int perRound) {
        Thread thread = new Thread(() -> {
            Random random = new Random(11);
            try {
                for (int round = 0; round < rounds; round++) {
                    for (int i = 0; i < perRound; i++) {
                        traffic.view("u" + random.nextInt(1000), "/p/" + random.nextInt(40), BASE + round);
                    }
                    traffic.flush();
                    Thread.sleep(250);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "steady-traffic");
        thread.start();
        return thread;
    }
}
