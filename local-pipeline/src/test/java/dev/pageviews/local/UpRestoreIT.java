package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.job.archive.ArchiveFormat;
import dev.pageviews.stack.LocalStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The settings a user changes between two {@code ./pageviews up} on the same data dir: each run resumes from the
 * savepoint of the one before, and Redis ends with exactly the views accepted over all runs, each client event id
 * counted once while the job deduplicates. Each run ends with views posted right before the stop, so windows still
 * open and offsets not yet read cross every change.
 */
class UpRestoreIT {

    private static final long TIMESTAMP = 1_730_814_562L;

    private final Path dataDir = LocalStackExtension.newWorkDir();
    private final UpConfig base = UpConfigs.up(dataDir);
    private final PipelineTraffic traffic = new PipelineTraffic(base.httpPort(), Map.of());
    /** The views with an event id that the run before counted (before its last posts): a client sends them again. */
    private List<PipelineTraffic.View> countedBefore = List.of();
    private int run;

    @Test
    void resumesExactlyAcrossArchiveWindowOutOfOrdernessAndDedupWindowChanges() throws Exception {
        // archive json, window 1s, out-of-orderness 2s, dedup window 24h
        assertThat(runWith(base)).isEmpty();
        // archive off: its sink's state is dropped
        assertThat(runWith(base.with(UpConfig.ARCHIVE_PATH, "none"))).isNotEmpty().allMatch(RestoreCompatibility::isArchive);
        // archive on again, with a format more: new sinks
        assertThat(runWith(base.with(UpConfig.ARCHIVE_FORMAT, List.of(ArchiveFormat.JSON, ArchiveFormat.PARQUET)))).isEmpty();
        // Parquet taken out (its state dropped); bigger windows; a shorter dedup window keeps the ids
        assertThat(runWith(base.with(UpConfig.WINDOW, Duration.ofSeconds(5)).with(UpConfig.DEDUP_WINDOW, Duration.ofHours(1))))
                .isNotEmpty().allMatch(RestoreCompatibility::isArchive).anyMatch(uid -> uid.contains("parquet"));
        // smaller windows, no out-of-orderness; dedup off: the ids are dropped, every copy is counted
        traffic.deduplicating(false);
        assertThat(runWith(base.with(UpConfig.OUT_OF_ORDERNESS, Duration.ZERO).with(UpConfig.DEDUP_WINDOW, Duration.ZERO)))
                .containsExactly("count-once-per-event-id");

        traffic.deduplicating(true); // on again: no id is remembered from before
        try (LocalPipeline pipeline = LocalPipeline.start(base.with(UpConfig.OUT_OF_ORDERNESS, Duration.ofSeconds(3)), Map.of());
                Jedis jedis = new Jedis("127.0.0.1", pipeline.redisPort())) {
            assertThat(pipeline.droppedState()).isEmpty();
            // event time stands still on partitions without new views since the restore: one view moves it on
            assertThat(traffic.post("u1", "/home", TIMESTAMP + 200)).isEqualTo(202);
            PipelineTraffic.View again = countedBefore.get(0); // counted in run 5, which remembered no id: once more now, then no more
            assertThat(traffic.post(again)).isEqualTo(202);
            assertThat(traffic.post(again)).isEqualTo(202);
            assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(60))).isEqualTo(traffic.expected());
            Thread.sleep(3000); // a few more checkpoints: nothing may be applied twice
            assertThat(PipelineTraffic.counts(jedis)).isEqualTo(traffic.expected());
        }
    }

    /**
     * One run: posts 60 views (most with an event id, some sent twice in a row) and sends again some views the run
     * before counted, waits until Redis holds exactly every view counted so far (those of the runs before included,
     * nothing twice), then posts 20 more and stops with a savepoint right away. Returns the uids of the operators
     * whose state the restore dropped.
     */
    private List<String> runWith(UpConfig config) throws Exception {
        run++;
        try (LocalPipeline pipeline = LocalPipeline.start(config, Map.of())) {
            assertThat(pipeline.restoredFrom().isPresent()).as("run %d resumes from the savepoint", run).isEqualTo(run > 1);
            try (Jedis jedis = new Jedis("127.0.0.1", pipeline.redisPort())) {
                List<PipelineTraffic.View> counted = post(60, "", true);
                for (PipelineTraffic.View view : countedBefore.subList(0, Math.min(5, countedBefore.size()))) {
                    assertThat(traffic.post(view)).isEqualTo(202); // a client whose reply was lost before the stop
                }
                assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(60)))
                        .as("counts in run %d (%s)", run, config).isEqualTo(traffic.expected());
                countedBefore = counted;
                // no copies, and sent again by no later run: a copy read only after a restore that turns dedup off would
                // be counted or not by chance
                post(20, "t", false);
            }
            return pipeline.droppedState();
        }
    }

    /** Posts {@code views} views, with {@code retries} some twice in a row; returns those with an event id. */
    private List<PipelineTraffic.View> post(int views, String idPrefix, boolean retries) throws Exception {
        List<PipelineTraffic.View> withId = new ArrayList<>();
        for (int i = 0; i < views; i++) {
            // event time moves on per run; every seventh view is 3 s behind, into windows being counted
            long timestamp = TIMESTAMP + run * 20L + i / 10 - (i % 7 == 0 ? 3 : 0);
            String eventId = i % 4 == 0 ? null : "run" + run + "-" + idPrefix + i;
            PipelineTraffic.View view = new PipelineTraffic.View("u" + (i % 11), "/r/" + (i % 6), timestamp, eventId);
            assertThat(traffic.post(view)).isEqualTo(202);
            if (retries && i % 5 == 1) {
                assertThat(traffic.post(view)).isEqualTo(202); // a retry at once: one count if it has an id, else two
            }
            if (eventId != null) {
                withId.add(view);
            }
        }
        return withId;
    }
}
