package dev.pageviews.read.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.settings.RedisTls;
import dev.pageviews.settings.RedisUri;
import dev.pageviews.settings.SentinelCredentials;
import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisServer;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.RedisClient;

/**
 * The store against a real redis-server while commits land: every batch reflects exactly one commit. The writer
 * applies commits as the job's script does, atomically (here MULTI/EXEC): a view into a bucket and +1 to seq.
 */
class RedisStatsStoreIT {

    /** Whole batches the consistency test checks, however slow the machine. */
    private static final int CHECKED = 50;

    private static RedisServer redis;

    @BeforeAll
    static void start() {
        redis = RedisServer.start(LocalStackExtension.newWorkDir(), FreePorts.pick(), RedisServer.Persistence.NONE);
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aBatchNeverMixesTwoCommits() throws Exception {
        Layout layout = new Layout("consistent");
        LocalDate day = LocalDate.now(ZoneOffset.UTC);
        Bucket bucket = Bucket.day(day, ZoneOffset.UTC);
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            try (RedisClient client = RedisClient.create(redis.host(), redis.port())) {
                while (writing.get()) {
                    try (AbstractTransaction tx = client.multi()) {
                        tx.zincrby(layout.views(bucket), 1, "/p");
                        tx.zincrby(layout.views(bucket), 1, Layout.TOTAL);
                        tx.hincrBy(layout.meta(), "seq", 1);
                        tx.exec();
                    }
                    try {
                        // gaps of 0 to 20 ms: commits land inside some batches, and a batch slowed by a loaded machine
                        // still finds gaps long enough to be read whole
                        Thread.sleep(ThreadLocalRandom.current().nextInt(21));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "committer");
        writer.start();
        int checked = 0;
        int moved = 0;
        long readAgain;
        RedisUri address = RedisUri.parse(redis.uri());
        try (RedisStatsStore store = new RedisStatsStore(RedisConnections.open(address, RedisTls.DEFAULTS, SentinelCredentials.NONE, Duration.ofSeconds(2),
                2, "it"), layout, address, RedisTls.DEFAULTS)) {
            // at least 3 s and 50 whole batches; on a loaded machine batches are slower, so it reads on, up to a minute
            long started = System.nanoTime();
            long deadline = started + Duration.ofSeconds(60).toNanos();
            while ((checked < CHECKED || System.nanoTime() - started < Duration.ofSeconds(3).toNanos()) && System.nanoTime() < deadline) {
                ReadBatch batch = new ReadBatch();
                List<ReadBatch.Result<Long>> totals = new ArrayList<>();
                // over 16 KB of commands: Redis reads a client's input 16 KB at a time and may run another client's
                // commit between two reads, which is what the seq check must catch (a short pipeline is never split)
                for (int i = 0; i < 2_000; i++) {
                    totals.add(batch.total(bucket));
                }
                ReadBatch.Result<java.util.Map<String, Long>> pages = batch.pages(List.of(bucket));
                CommitRecord commit;
                try {
                    commit = store.read(batch);
                } catch (StatsStore.CommitMoved e) {
                    moved++;
                    continue;
                }
                for (ReadBatch.Result<Long> total : totals) {
                    assertThat(total.get()).as("views of commit %d", commit.seq()).isEqualTo(commit.seq());
                }
                assertThat(pages.get().getOrDefault("/p", 0L)).isEqualTo(commit.seq()); // none before the first commit
                checked++;
            }
            readAgain = store.batchesReadAgain();
        } finally {
            writing.set(false);
            writer.join();
        }
        System.out.printf("%d batches each of one commit, %d gave up after %d attempts, %d batch reads thrown away%n", checked, moved,
                RedisStatsStore.ATTEMPTS, readAgain);
        assertThat(checked).isGreaterThanOrEqualTo(CHECKED);
        assertThat(readAgain).as("batches a commit landed in, read again").isPositive();
    }
}
