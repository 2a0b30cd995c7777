package dev.pageviews.job;

import static dev.pageviews.job.ExactRuns.assertExactThrough;
import static dev.pageviews.job.ExactRuns.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.job.redis.RedisSinkSettings;
import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

/**
 * Redis answers with errors, not silence, while views flow: a non-integer field, maxmemory with noeviction, a
 * primary demoted to a read-only replica, a password changed under the job. Each must end with Redis holding
 * exactly the views produced: the commits that Redis refused are retried (the job restarts from its checkpoint
 * until Redis accepts them), never applied in part, never dropped. Each test has its own redis-server, so what it
 * does to Redis touches no other test.
 */
@ExtendWith(LocalStackExtension.class)
class RedisFaultsIT extends OnFlinkCluster {

    private static final String BAD_PAGE = "/p/7";
    private static RedisServer newRedis() {
        return RedisServer.start(LocalStackExtension.newWorkDir(), FreePorts.pick(), RedisServer.Persistence.NONE);
    }

    @Test
    void aFieldThatIsNotAnIntegerHoldsItsCommitsBackUntilFixedAndLosesNothing(LocalStack stack) throws Exception {
        try (RedisServer redis = newRedis()) {
            ExactRuns.Run run = newRun(stack, redis.uri(), 2);
            assertExactThrough(flink, stack, run, 40, redis::client, job -> {
                awaitField(redis, run.key(), BAD_PAGE);
                String count;
                try (Jedis jedis = redis.client()) {
                    // atomically: no commit can land between reading the count and spoiling the field
                    count = (String) jedis.eval("local v = redis.call('HGET', KEYS[1], ARGV[1]); "
                            + "redis.call('HSET', KEYS[1], ARGV[1], 'abc'); return v", List.of(run.key()), List.of(BAD_PAGE));
                }
                assertThat(count).as("views of %s were counted before the field was spoiled", BAD_PAGE).isNotNull();
                awaitRestart(job);
                Thread.sleep(3000);
                try (Jedis jedis = redis.client()) {
                    assertThat(jedis.hget(run.key(), BAD_PAGE)).as("nothing was added to the bad field").isEqualTo("abc");
                    jedis.hset(run.key(), BAD_PAGE, count); // the operator's fix
                }
                return job;
            });
        }
    }

    @Test
    void redisAtItsMaxmemoryWithNoevictionDelaysCountsButLosesNone(LocalStack stack) throws Exception {
        assertExactThroughRedisFault(stack, 50, jedis -> {
            jedis.configSet("maxmemory-policy", "noeviction");
            jedis.configSet("maxmemory", "1"); // every write now answers OOM
        }, 7000, jedis -> jedis.configSet("maxmemory", "0"));
    }

    @Test
    void aPrimaryDemotedToAReadOnlyReplicaDelaysCountsButLosesNone(LocalStack stack) throws Exception {
        // a primary that cannot reach its new primary keeps its data and answers writes with READONLY
        assertExactThroughRedisFault(stack, 40, jedis -> jedis.replicaof("127.0.0.1", FreePorts.pick()),
                3000, Jedis::replicaofNoOne);
    }

    @Test
    void aPasswordChangedUnderTheJobDelaysCountsUntilRestoredAndLosesNone(LocalStack stack) throws Exception {
        assertExactThroughRedisFault(stack, 40, jedis -> {
            jedis.configSet("requirepass", "rotated-secret");
            // connections authenticated before keep working: drop them, as a restart of Redis would
            jedis.clientKill(new ClientKillParams().type(ClientType.NORMAL).skipMe(ClientKillParams.SkipMe.YES));
        }, 3000, jedis -> {
            jedis.auth("rotated-secret");
            jedis.configSet("requirepass", "");
        });
    }

    @Test
    void aRightRevokedUnderTheJobDelaysCountsAndNeverAppliesACommitInPart(LocalStack stack) throws Exception {
        // the user's report: Redis checks rights per call, so the HINCRBYs of a commit ran and its marker's SET failed,
        // and every restart added the same views again
        assertExactThroughRedisFault(stack, 40, jedis -> jedis.aclSetUser("default", "-set"), 3000,
                jedis -> jedis.aclSetUser("default", "+set"));
    }

    @Test
    void aRedisThatMayEvictIsRefusedUntilItsPolicyIsNoeviction(LocalStack stack) throws Exception {
        // a policy changed under the running job: every commit, and the writers' start checks, refuse it
        assertExactThroughRedisFault(stack, 40, jedis -> jedis.configSet("maxmemory-policy", "volatile-lru"), 3000,
                jedis -> jedis.configSet("maxmemory-policy", "noeviction"));
    }

    /** Views flow; {@code inject} makes Redis answer the job's commits with errors; {@code fix} ends that later. */
    private static void assertExactThroughRedisFault(LocalStack stack, int rounds, Consumer<Jedis> inject, long faultyForMillis,
            Consumer<Jedis> fix) throws Exception {
        try (RedisServer redis = newRedis()) {
            ExactRuns.Run run = newRun(stack, redis.uri(), 2);
            assertExactThrough(flink, stack, run, rounds, redis::client, job -> {
                Thread.sleep(3000);
                try (Jedis jedis = redis.client()) {
                    inject.accept(jedis);
                }
                awaitRestart(job);
                Thread.sleep(faultyForMillis);
                try (Jedis jedis = redis.client()) {
                    fix.accept(jedis);
                }
                return job;
            });
        }
    }

    @Test
    void aRestoreOlderThanTheMarkerExpiryIsRefusedUntilTheOperatorChooses(LocalStack stack) throws Exception {
        try (RedisServer redis = newRedis()) {
            // markers kept 8 s: a savepoint restored 9 s after it was taken holds commits Redis may have forgotten;
            // no periodic checkpoint, so the savepoint surely holds commits (all the views counted so far)
            ExactRuns.Run run = newRun(stack, redis.uri(), 2, "--commit-marker-ttl", "8s", "--checkpoint-interval", "1h");
            assertExactThrough(flink, stack, run, 24, redis::client, job -> {
                flink.awaitTasksRunning(job);
                Thread.sleep(3000);
                String savepoint = flink.stopWithSavepoint(job, run.dir().resolve("savepoints"));
                Map<String, Long> atStop;
                try (Jedis jedis = redis.client()) {
                    atStop = ViewsTraffic.counts(jedis::hgetAll, run.key());
                }
                assertThat(atStop).as("the stop applied the savepoint's commits").isNotEmpty();
                Thread.sleep(9000);

                JobID refused = flink.submit(run.config(), savepoint);
                awaitRestart(refused);
                Thread.sleep(2000);
                try (Jedis jedis = redis.client()) {
                    assertThat(ViewsTraffic.counts(jedis::hgetAll, run.key())).as("nothing applied while refused").isEqualTo(atStop);
                }
                flink.cancel(refused);

                // a stop with a savepoint applied the savepoint's commits before it ended: skip is right, and exact
                // (apply would count them twice: their markers have expired); periodic checkpoints again from here
                return flink.submit(run.config().with(JobConfig.STALE_COMMITS, RedisSinkSettings.StaleCommits.SKIP).with(JobConfig.CHECKPOINT_INTERVAL, Duration.ofMillis(500)),
                        savepoint);
            }, job -> awaitPositiveMetric(job, "redisCommitsStaleSkipped"));
        }
    }

    @Test
    void atLeastOnceDeliveryRetriesTheIncrementsRedisRefusedInAPipeline(LocalStack stack) throws Exception {
        try (RedisServer redis = newRedis(); ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), "alo-faults")) {
            stack.kafka().createTopic("alo-faults", LocalStack.VIEWS_PARTITIONS);
            ExactRuns.Run run = newRun(stack, redis.uri(), 2, "--delivery", "at-least-once", "--topic", "alo-faults");
            JobID job = flink.submit(run.config(), null);
            try (Jedis jedis = redis.client()) {
                jedis.hset(run.key(), BAD_PAGE, "abc");
                for (int i = 0; i < 300; i++) {
                    traffic.view("u" + i, i % 3 == 0 ? BAD_PAGE : "/ok/" + (i % 5), ExactRuns.BASE + i / 100);
                }
                traffic.flush();
                awaitRestart(job);
                jedis.hdel(run.key(), BAD_PAGE);
                // at least once: every view counted, some perhaps twice; before the fix the refused ones were dropped
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                Map<String, Long> counts = Map.of();
                while (System.nanoTime() < deadline) {
                    counts = ViewsTraffic.counts(jedis::hgetAll, run.key());
                    if (atLeast(counts, traffic.expected())) {
                        break;
                    }
                    Thread.sleep(200);
                }
                assertThat(atLeast(counts, traffic.expected())).as("counts %s cover %s", counts, traffic.expected()).isTrue();
            } finally {
                flink.cancel(job);
            }
        }
    }

    private static boolean atLeast(Map<String, Long> counts, Map<String, Long> expected) {
        return expected.entrySet().stream().allMatch(e -> counts.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    /** Waits until the job has counted views of {@code page}. */
    private static void awaitField(RedisServer redis, String key, String page) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (Jedis jedis = redis.client()) {
            while (!jedis.hexists(key, page)) {
                assertThat(System.nanoTime()).as("views of %s counted", page).isLessThan(deadline);
                Thread.sleep(100);
            }
        }
    }

    /** Commits applied before the failure were recognised by their markers and skipped after the restart. */
    private static void awaitPositiveMetric(JobID job, String metric) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long value;
        while ((value = flink.metricSum(job, metric)) <= 0 && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertThat(value).as(metric + " of the running job").isPositive();
    }

    /** The job notices the fault: a task fails and runs again. */
    private static void awaitRestart(JobID job) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!flink.hasRestarted(job)) {
            assertThat(System.nanoTime()).as("the job restarts after Redis refused its commits").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
