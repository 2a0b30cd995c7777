package dev.pageviews.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.event.PageKeys;
import dev.pageviews.event.PageView;
import dev.pageviews.job.count.ReportingTime;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.Tuple;

/**
 * The read side end to end: views produced to Kafka, the job (restarted from a savepoint and a TaskManager lost on
 * the way), and Redis compared with an independent tally of what was sent, bucket by bucket: views per page and
 * site per minute (UTC), hour and day (America/New_York), exact visitors per page and site per day, HyperLogLog
 * estimates within their error, late views in their old buckets, the commit record.
 */
@ExtendWith(LocalStackExtension.class)
class ReadSideIT extends OnFlinkCluster {

    private static final ZoneId ZONE = ZoneId.of("America/New_York");
    /** What Redis must hold: per bucket key, per member, the count. */
    private static final class Tally {
        final Map<String, Map<String, Long>> buckets = new TreeMap<>();
        final Map<String, Set<String>> visitors = new TreeMap<>(); // "date page" and "date" -> users
        private final ReportingTime time = new ReportingTime(ZONE);
        private final String prefix;

        Tally(String key) {
            prefix = "{" + key + "}";
        }

        void add(PageView view) {
            String page = PageKeys.of(view.pageUrl(), 512);
            long second = view.timestamp();
            String date = time.date(second);
            for (String key : List.of(prefix + ":m:" + ReportingTime.minuteStart(second), prefix + ":h:" + time.hourStart(second),
                    prefix + ":d:" + date)) {
                Map<String, Long> bucket = buckets.computeIfAbsent(key, k -> new TreeMap<>());
                bucket.merge(page, 1L, Long::sum);
                bucket.merge("(total)", 1L, Long::sum);
            }
            visitors.computeIfAbsent(date + " " + page, d -> new HashSet<>()).add(view.userId());
            visitors.computeIfAbsent(date, d -> new HashSet<>()).add(view.userId());
        }

        Map<String, Map<String, Long>> exactVisitors() {
            Map<String, Map<String, Long>> byDay = new TreeMap<>();
            visitors.forEach((what, users) -> {
                String[] parts = what.split(" ", 2);
                byDay.computeIfAbsent(prefix + ":vd:" + parts[0], d -> new TreeMap<>())
                        .put(parts.length == 1 ? "(total)" : parts[1], (long) users.size());
            });
            return byDay;
        }
    }

    private static Map<String, Long> zset(Jedis jedis, String key) {
        Map<String, Long> members = new TreeMap<>();
        for (Tuple t : jedis.zrangeWithScores(key, 0, -1)) {
            members.put(t.getElement(), (long) t.getScore());
        }
        return members;
    }

    @Test
    void everyBucketHoldsExactlyTheViewsAndVisitorsSentThroughARestartAndALostTaskManager(LocalStack stack) throws Exception {
        ExactRuns.Run run = ExactRuns.newRun(stack, stack.redis().uri(), 2, "--time-zone", ZONE.getId());
        Tally tally = new Tally(run.key());
        long now = System.currentTimeMillis() / 1000;
        Random random = new Random(30);
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic());
                Jedis jedis = stack.redis().client()) {
            JobID job = flink.submit(run.config(), null);
            for (int round = 0; round < 6; round++) {
                for (int i = 0; i < 300; i++) {
                    // the last 3 hours, some a day late (their old buckets), 60 users over 12 pages
                    long second = random.nextInt(10) == 0 ? now - 86_400 - random.nextInt(3600) : now - random.nextInt(3 * 3600);
                    traffic.view("u" + random.nextInt(60), "/p/" + random.nextInt(12) + (random.nextBoolean() ? "/" : ""), second);
                }
                traffic.flush();
                if (round == 2) {
                    flink.awaitTasksRunning(job);
                    ViewsTraffic.awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), Duration.ofSeconds(60)); // state to carry over
                    String savepoint = flink.stopWithSavepoint(job, run.dir().resolve("savepoints"));
                    job = flink.submit(run.config(), savepoint);
                }
                if (round == 4) {
                    flink.awaitTasksRunning(job);
                    flink.killTaskManager(job);
                }
            }
            traffic.sentViews().forEach(tally::add);
            ViewsTraffic.awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), Duration.ofSeconds(120));
            Thread.sleep(2000); // a few more checkpoints: nothing more may arrive

            Map<String, Map<String, Long>> expectedBuckets = tally.buckets;
            for (Map.Entry<String, Map<String, Long>> bucket : expectedBuckets.entrySet()) {
                assertThat(zset(jedis, bucket.getKey())).as(bucket.getKey()).isEqualTo(bucket.getValue());
            }
            assertThat(jedis.keys("{" + run.key() + "}:[mhd]:*")).as("no bucket the views did not name")
                    .containsExactlyInAnyOrderElementsOf(expectedBuckets.keySet());
            for (Map.Entry<String, Map<String, Long>> day : tally.exactVisitors().entrySet()) {
                assertThat(zset(jedis, day.getKey())).as(day.getKey()).isEqualTo(day.getValue());
            }
            // the estimate over both days unions the days' HyperLogLogs: within 3 standard errors (0.81 % each) of the truth
            Set<String> allUsers = new HashSet<>();
            traffic.sentViews().forEach(v -> allUsers.add(v.userId()));
            List<String> days = tally.visitors.keySet().stream().filter(k -> !k.contains(" ")).toList();
            long estimate = jedis.pfcount(days.stream().map(d -> "{" + run.key() + "}:u:" + d).toArray(String[]::new));
            assertThat((double) estimate).isCloseTo(allUsers.size(), org.assertj.core.data.Offset.offset(Math.max(2, allUsers.size() * 0.025)));
            Map<String, String> meta = jedis.hgetAll("{" + run.key() + "}:meta");
            assertThat(Long.parseLong(meta.get("seq"))).isPositive();
            assertThat(meta.get("time_zone")).isEqualTo(ZONE.getId());
            assertThat(Long.parseLong(meta.get("watermark"))).isGreaterThan((now - 3 * 3600) * 1000);
            flink.cancel(job);
        }
    }

    @Test
    void withStatsOffOnlyTheCountsHashIsWritten(LocalStack stack) throws Exception {
        ExactRuns.Run run = ExactRuns.newRun(stack, stack.redis().uri(), 1, "--stats", "false");
        long now = System.currentTimeMillis() / 1000;
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic());
                Jedis jedis = stack.redis().client()) {
            JobID job = flink.submit(run.config(), null);
            for (int i = 0; i < 50; i++) {
                traffic.view("u" + i, "/off/" + i % 3, now - i);
            }
            traffic.flush();
            ViewsTraffic.awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), Duration.ofSeconds(60));
            assertThat(jedis.keys("{" + run.key() + "}:[mhdvu]*:*")).isEmpty();
            flink.cancel(job);
        }
    }
}
