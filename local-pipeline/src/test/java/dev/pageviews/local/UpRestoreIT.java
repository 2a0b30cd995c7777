package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.LocalStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The settings a user changes between two {@code ./pageviews up} on the same data dir: each run resumes from the
 * savepoint of the one before, and Redis ends with exactly the views accepted over all runs. Each run ends with
 * views posted right before the stop, so windows still open and offsets not yet read cross every change.
 */
class UpRestoreIT {

    private static final long TIMESTAMP = 1_730_814_562L;

    private final Path dataDir = LocalStackExtension.newWorkDir();
    private final UpConfig base = new UpConfig(FreePorts.pick(), FreePorts.pick(), FreePorts.pick(), FreePorts.pick(), dataDir, false,
            dataDir.resolve("archive").toUri().toString());
    private final String archive = base.archivePath();
    private Map<String, Long> accepted = Map.of();
    private int run;

    @Test
    void resumesExactlyAcrossArchiveWindowAndOutOfOrdernessChanges() throws Exception {
        runWith(base);                                                // archive json, window 1s, out-of-orderness 2s
        runWith(base.withJob("", "json", "1s", "2s"));                // archive off: its sink's state is dropped
        runWith(base.withJob(archive, "json,parquet", "1s", "2s"));   // archive on again, with a format more: new sinks
        runWith(base.withJob(archive, "json", "5s", "2s"));           // Parquet taken out (its state dropped); bigger windows
        runWith(base.withJob(archive, "json", "1s", "0ms"));          // smaller windows, no out-of-orderness
        assertThat(accepted.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(5 * 80);
        try (LocalPipeline pipeline = LocalPipeline.start(base.withJob(archive, "json", "1s", "3s"), Map.of());
                Jedis jedis = new Jedis("127.0.0.1", pipeline.redisPort())) {
            PipelineTraffic traffic = new PipelineTraffic(pipeline.httpPort(), accepted);
            // event time stands still on partitions without new views since the restore: one view moves it on
            assertThat(traffic.post("u1", "/home", TIMESTAMP + 200)).isEqualTo(202);
            assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(60))).isEqualTo(traffic.expected());
            Thread.sleep(3000); // a few more checkpoints: nothing may be applied twice
            assertThat(PipelineTraffic.counts(jedis)).isEqualTo(traffic.expected());
        }
    }

    /**
     * One run: posts 60 views and waits until Redis holds exactly every view accepted so far (those of the runs
     * before included, nothing twice), then posts 20 more and stops with a savepoint right away.
     */
    private void runWith(UpConfig config) throws Exception {
        run++;
        try (LocalPipeline pipeline = LocalPipeline.start(config, Map.of())) {
            assertThat(pipeline.restoredFrom().isPresent()).as("run %d resumes from the savepoint", run).isEqualTo(run > 1);
            PipelineTraffic traffic = new PipelineTraffic(pipeline.httpPort(), accepted);
            try (Jedis jedis = new Jedis("127.0.0.1", pipeline.redisPort())) {
                post(traffic, 60);
                assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(60)))
                        .as("counts in run %d (%s)", run, config).isEqualTo(traffic.expected());
                post(traffic, 20);
            }
            accepted = traffic.expected();
        }
    }

    private void post(PipelineTraffic traffic, int views) throws Exception {
        for (int i = 0; i < views; i++) {
            // event time moves on per run; every seventh view is 3 s behind, into windows being counted
            long timestamp = TIMESTAMP + run * 20L + i / 10 - (i % 7 == 0 ? 3 : 0);
            assertThat(traffic.post("u" + (i % 11), "/r/" + (i % 6), timestamp)).isEqualTo(202);
        }
    }
}
