package dev.pageviews.job;

import static dev.pageviews.job.ViewsTraffic.awaitCounts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * Event time has bounds, and freshness does not depend on history: the job with its default watermark
 * settings, on a real Flink MiniCluster against real Kafka and Redis. Views with far-future or far-past
 * timestamps are counted exactly, and after them, or after a backlog of old views, every live view is in
 * Redis within {@link #FRESH} of being sent (about 3 to 5 s is expected: out-of-orderness 2 s, watermarks
 * every 200 ms, checkpoints every 2 s; the bound leaves room for a loaded machine).
 */
@ExtendWith(LocalStackExtension.class)
class EventTimeBoundsIT extends OnFlinkCluster {

    /** How soon after it is sent a live view must be in Redis. Before the fix, after a backlog: never (minutes). */
    private static final Duration FRESH = Duration.ofSeconds(10);
    private static final Duration COUNTED = Duration.ofSeconds(60);
    private static final long DAY = 86_400;
    private static final long YEAR_2099 = 4_102_444_799L;
    private static final long YEAR_2000 = 946_684_800L;
    private static final AtomicInteger RUN = new AtomicInteger();
    private record Run(String topic, String key, JobConfig config) {}

    /** A job of its own with the default event-time settings (out-of-orderness 2 s, idle timeout 1 s, skew 5m). */
    private static Run newRun(LocalStack stack) {
        int n = RUN.incrementAndGet();
        String topic = "time-views-" + n;
        stack.kafka().createTopic(topic, LocalStack.VIEWS_PARTITIONS);
        stack.kafka().createTopic(topic + "-dlq", 1);
        Path dir = LocalStackExtension.newWorkDir();
        JobConfig config = JobConfig.parse(new String[] {
                "--kafka-bootstrap", stack.kafka().bootstrapServers(),
                "--topic", topic, "--dlq-topic", topic + "-dlq", "--group-id", "time-it-" + n,
                "--redis", stack.redis().uri(), "--redis-key", "time_views_" + n,
                "--checkpoint-dir", dir.resolve("checkpoints").toUri().toString(),
                "--parallelism", "2"}, Map.of());
        return new Run(topic, "time_views_" + n, config);
    }

    @Test
    void viewsAreCountedWithoutWaitingForEventTimeAndARestoreAddsNothing(LocalStack stack) throws Exception {
        Run run = newRun(stack);
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic());
                Jedis jedis = stack.redis().client()) {
            // a long idle timeout and no view after these: event time stays before their last seconds, so anything that
            // waited for it (a window closing) would hold their views back
            JobID job = flink.submit(run.config().with(JobConfig.IDLE_TIMEOUT, Duration.ofMinutes(10)), null);
            for (int i = 0; i < 200; i++) {
                traffic.view("u" + i % 7, "/restored/" + i % 10, YEAR_2000 + DAY + i / 20); // ten seconds of event time
            }
            traffic.flush();
            awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), COUNTED);
            String savepoint = flink.stopWithSavepoint(job, LocalStackExtension.newWorkDir());

            job = flink.submit(run.config(), savepoint);
            try {
                flink.awaitTasksRunning(job);
                Thread.sleep(3000); // a few checkpoints of the restored job
                assertThat(ViewsTraffic.counts(jedis::hgetAll, run.key())).isEqualTo(traffic.expected());
            } finally {
                flink.cancel(job);
            }
        }
    }

    private static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }

    @Test
    void futureTimestampsAreCountedExactlyAndDoNotHoldBackLiveViews(LocalStack stack) throws Exception {
        Run run = newRun(stack);
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic());
                Jedis jedis = stack.redis().client()) {
            JobID job = flink.submit(run.config(), null);
            try {
                List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
                for (int i = 0; i < 40; i++) { // straight to Kafka, as a producer other than the edge would
                    sends.add(traffic.view(null, null, "future-" + i, "/future/day-ahead", nowSeconds() + DAY));
                    sends.add(traffic.view(null, null, "future-" + i, "/future/2099", YEAR_2099));
                }
                // a producer whose clock is 50 minutes ahead (the broker refuses record times over an hour ahead)
                long wrongProducerClock = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(50);
                for (int partition = 0; partition < LocalStack.VIEWS_PARTITIONS; partition++) {
                    sends.add(traffic.view(partition, wrongProducerClock, "skewed-" + partition, "/future/skewed-producer",
                            wrongProducerClock / 1000));
                    sends.add(traffic.view(partition, wrongProducerClock, "skewed-" + partition, "/future/2099", YEAR_2099));
                }
                for (java.util.concurrent.Future<?> send : sends) {
                    send.get(30, TimeUnit.SECONDS); // fails the test if Kafka refused one
                }

                Map<String, Duration> latencies = liveViews(traffic, jedis, run.key(), 16,
                        i -> "live-" + (i % 8), null); // eight users: every partition gets live views
                assertFresh(latencies);
                awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), Duration.ofSeconds(30));
                assertThat(traffic.expected()).containsEntry("/future/day-ahead", 40L).containsEntry("/future/2099", 44L)
                        .containsEntry("/future/skewed-producer", 4L);
                awaitMetric(job, "eventsFutureClamped", 88); // each view beyond the bound, once
            } finally {
                flink.cancel(job);
            }
        }
    }

    @Test
    void farPastTimestampsAreCountedAlsoWhenTheyArriveLate(LocalStack stack) throws Exception {
        Run run = newRun(stack);
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic());
                Jedis jedis = stack.redis().client()) {
            for (int i = 0; i < 30; i++) {
                traffic.view("past-" + i, "/past/y2k", YEAR_2000);
                traffic.view("past-" + i, "/past/a-year-ago", nowSeconds() - 365 * DAY);
                traffic.view("past-" + i, "/past/live", nowSeconds());
            }
            traffic.flush();
            JobID job = flink.submit(run.config(), null);
            try {
                awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), Duration.ofSeconds(60));
                // the watermark is at the clock by now: these are late views, counted as increments
                for (int i = 0; i < 30; i++) {
                    traffic.view("late-" + i, "/past/y2k", YEAR_2000 + i);
                    traffic.view("late-" + i, "/past/an-hour-ago", nowSeconds() - 3600);
                }
                traffic.flush();
                awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), Duration.ofSeconds(30));
                assertThat(traffic.expected()).containsEntry("/past/y2k", 60L).containsEntry("/past/an-hour-ago", 30L);
            } finally {
                flink.cancel(job);
            }
        }
    }

    @Test
    void aLiveViewIsCountedWithinSecondsAfterABacklogOfOldViews(LocalStack stack) throws Exception {
        Run run = newRun(stack);
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic());
                Jedis jedis = stack.redis().client()) {
            long halfAnHourAgo = nowSeconds() - 1800;
            for (int i = 0; i < 50_000; i++) { // a backlog on every partition, e.g. after the job was down
                traffic.view("backlog-" + (i % 500), "/backlog/" + (i % 40), halfAnHourAgo + i / 1000);
            }
            traffic.flush();
            JobID job = flink.submit(run.config(), null);
            try {
                awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), Duration.ofSeconds(120));

                // one visitor browsing: all their views go to one partition, the other three stay quiet
                Map<String, Duration> latencies = liveViews(traffic, jedis, run.key(), 16, i -> "visitor", null);
                assertFresh(latencies);
                awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), Duration.ofSeconds(30));
                assertThat(traffic.sent()).isEqualTo(50_016);
            } finally {
                flink.cancel(job);
            }
        }
    }

    @Test
    void liveTrafficOnSomePartitionsOnlyIsCountedWithinSeconds(LocalStack stack) throws Exception {
        Run run = newRun(stack);
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic());
                Jedis jedis = stack.redis().client()) {
            long halfAnHourAgo = nowSeconds() - 1800;
            for (int i = 0; i < 3_000; i++) { // old views on partitions 0, 1 and 2; partition 3 never gets any
                traffic.view(i % 3, null, "backlog-" + i, "/backlog/" + (i % 10), halfAnHourAgo + i / 100);
            }
            traffic.flush();
            JobID job = flink.submit(run.config(), null);
            try {
                awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), Duration.ofSeconds(60));

                // live views on partitions 0 and 1 only: 2 (old views only) and 3 (none) stay quiet
                Map<String, Duration> latencies = liveViews(traffic, jedis, run.key(), 16, i -> "live-" + i, i -> i % 2);
                assertFresh(latencies);
                awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), Duration.ofSeconds(30));
            } finally {
                flink.cancel(job);
            }
        }
    }

    /** Waits for the REST API to report {@code expected} (it refreshes metrics every 10 s); fails with the last value. */
    private static void awaitMetric(JobID job, String name, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long value;
        while ((value = flink.metricSum(job, name)) != expected && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertThat(value).as("metric " + name).isEqualTo(expected);
    }

    /**
     * Sends {@code count} live views, one every 500 ms, each stamped with the current second (as the edge
     * accepts them) on a page of its own, to {@code partition} (null: by user), and returns how long each took
     * to appear in Redis; a view not there {@link #FRESH} after it was sent is reported as missing.
     */
    private static Map<String, Duration> liveViews(ViewsTraffic traffic, Jedis jedis, String key, int count,
            IntFunction<String> user, IntFunction<Integer> partition) throws Exception {
        String prefix = "/live/" + System.nanoTime() + "/";
        Map<String, Long> sentAt = new LinkedHashMap<>();
        Map<String, Duration> latencies = new LinkedHashMap<>();
        long next = System.nanoTime();
        int sent = 0;
        while (true) {
            long now = System.nanoTime();
            if (sent < count && now >= next) {
                String page = prefix + sent;
                sentAt.put(page, now);
                traffic.view(partition == null ? null : partition.apply(sent), null, user.apply(sent), page, nowSeconds());
                traffic.flush();
                sent++;
                next += TimeUnit.MILLISECONDS.toNanos(500);
            }
            List<String> pending = sentAt.keySet().stream().filter(p -> !latencies.containsKey(p)).toList();
            if (!pending.isEmpty()) {
                List<String> counts = jedis.hmget(key, pending.toArray(String[]::new));
                long seenAt = System.nanoTime();
                for (int i = 0; i < pending.size(); i++) {
                    if (counts.get(i) != null) {
                        latencies.put(pending.get(i), Duration.ofNanos(seenAt - sentAt.get(pending.get(i))));
                    }
                }
            }
            boolean allSeen = sent == count && latencies.size() == count;
            boolean overdue = sentAt.entrySet().stream().anyMatch(e -> !latencies.containsKey(e.getKey())
                    && System.nanoTime() - e.getValue() > FRESH.toNanos());
            if (allSeen || overdue) {
                break;
            }
            Thread.sleep(20);
        }
        sentAt.keySet().forEach(page -> latencies.putIfAbsent(page, null));
        return latencies;
    }

    private static void assertFresh(Map<String, Duration> latencies) {
        List<Long> millis = latencies.values().stream().filter(d -> d != null).map(Duration::toMillis).sorted().toList();
        System.out.println("Live views in Redis after (ms, sorted): " + millis); // in target/failsafe-reports
        assertThat(latencies).as("every live view in Redis within %s of being sent (ms: %s)", FRESH, millis)
                .allSatisfy((page, latency) -> assertThat(latency).as(page).isNotNull().isLessThanOrEqualTo(FRESH));
    }
}
