package dev.pageviews.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisServer;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * A job restored from a savepoint older than what Redis has counted (a wrong {@code -s} path, a backup of the
 * savepoint directory) would read the views in between from Kafka again and count them twice. Redis records the
 * newest checkpoint of the job's history it applied, and such a restore is refused until the operator says
 * otherwise.
 */
@ExtendWith(LocalStackExtension.class)
class RestoreGuardIT extends OnFlinkCluster {

    @Test
    void aRestoreBehindRedisIsRefusedAndTheOverrideCountsTheViewsInBetweenAgain(LocalStack stack) throws Exception {
        try (RedisServer redis = RedisServer.start(LocalStackExtension.newWorkDir(), FreePorts.pick(), RedisServer.Persistence.NONE);
                Jedis jedis = redis.client()) {
            ExactRuns.Run run = ExactRuns.newRun(stack, redis.uri(), 2);
            try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic())) {
                JobID first = flink.submit(run.config(), null);
                send(traffic, "/a", 100);
                ViewsTraffic.awaitCounts(jedis::hgetAll, run.key(), Map.of("/a", 100L), Duration.ofSeconds(60));
                String older = flink.stopWithSavepoint(first, run.dir().resolve("savepoints"));

                JobID second = flink.submit(run.config(), older);
                send(traffic, "/b", 50);
                ViewsTraffic.awaitCounts(jedis::hgetAll, run.key(), Map.of("/a", 100L, "/b", 50L), Duration.ofSeconds(60));
                String newer = flink.stopWithSavepoint(second, run.dir().resolve("savepoints"));

                JobID refused = flink.submit(run.config(), older); // the wrong -s path
                awaitFailure(refused, "has already applied the commits of checkpoint");
                assertThat(flink.failureText(refused)).contains("--allow-restore-behind-redis");
                Thread.sleep(2000);
                assertThat(ViewsTraffic.counts(jedis::hgetAll, run.key())).as("nothing counted again while refused")
                        .isEqualTo(Map.of("/a", 100L, "/b", 50L));
                flink.cancel(refused);

                JobID right = flink.submit(run.config(), newer); // the right one resumes, exactly
                send(traffic, "/c", 10);
                ViewsTraffic.awaitCounts(jedis::hgetAll, run.key(), Map.of("/a", 100L, "/b", 50L, "/c", 10L), Duration.ofSeconds(60));
                flink.cancel(right);

                // the operator insists: the 50 views of /b (and the 10 of /c) are read and counted again, as the flag says
                JobID overridden = flink.submit(run.config().with(JobConfig.ALLOW_RESTORE_BEHIND_REDIS, true), older);
                ViewsTraffic.awaitCounts(jedis::hgetAll, run.key(), Map.of("/a", 100L, "/b", 100L, "/c", 20L), Duration.ofSeconds(60));
                String forked = flink.stopWithSavepoint(overridden, run.dir().resolve("savepoints"));
                assertThat(forked).isNotEmpty();

                // the override began a new history: the savepoint of the old one is now behind it too
                JobID oldHistory = flink.submit(run.config(), newer);
                awaitFailure(oldHistory, "another job history");
                flink.cancel(oldHistory);
            }
        }
    }

    private static void send(ViewsTraffic traffic, String page, int views) {
        for (int i = 0; i < views; i++) {
            traffic.view("u" + i, page, ExactRuns.BASE + i % 5);
        }
        traffic.flush();
    }

    private static void awaitFailure(JobID job, String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!flink.failureText(job).contains(text)) {
            assertThat(System.nanoTime()).as("the job fails saying '%s'; so far: %s", text, flink.failureText(job))
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
