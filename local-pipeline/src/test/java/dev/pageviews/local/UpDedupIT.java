package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.LocalStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A client's {@code event_id} through {@code ./pageviews up} as its own process: each id is counted once, whether
 * its copies come at once (an immediate retry, the same id twice in one batch), after the whole local pipeline was
 * killed with {@code kill -9}, or after a clean stop and start; views without an id are counted every time.
 */
class UpDedupIT {

    private static final long TIMESTAMP = 1_730_814_562L;
    /** Distinct event ids per round: 12 single views and a batch of 8 that holds one id twice. */
    private static final int IDS_PER_ROUND = 12 + 7;
    /** Views without an id per round: 6, two of them sent twice. */
    private static final int NO_ID_VIEWS_PER_ROUND = 6 + 2;

    private final Path dataDir = LocalStackExtension.newWorkDir();
    private final UpProcesses up = new UpProcesses(dataDir);
    private final PipelineTraffic client = new PipelineTraffic(up.httpPort, Map.of());
    /** Every view with an id sent so far, as the client sends it again when it never saw the reply. */
    private final List<PipelineTraffic.View> singles = new ArrayList<>();
    private final List<List<PipelineTraffic.View>> batches = new ArrayList<>();

    @AfterEach
    void killWhatIsLeft() throws Exception {
        up.killLeftovers();
    }

    @Test
    void countsEachClientEventIdOnceAcrossAKillOfTheWholePipelineAndARestart() throws Exception {
        Process first = up.start("first", Map.of());
        up.awaitReady();
        round("a", TIMESTAMP);
        awaitExactCounts();
        round("b", TIMESTAMP + 10); // accepted, perhaps not yet counted, when everything is killed
        up.kill(first);

        Process second = up.start("second", Map.of());
        up.awaitReady();
        sendAgain(); // a client whose replies were lost sends its views again, with their ids
        round("c", TIMESTAMP + 20);
        awaitExactCounts();
        up.stop(second);
        assertThat(Files.readString(up.output("second"))).contains("Job stopped with savepoint");

        Process third = up.start("third", Map.of(), "--dedup-window", "12h"); // a shorter window keeps the ids
        up.awaitReady();
        up.awaitOutput("third", "dedup-window 12h"); // the banner, printed after the edge is ready
        sendAgain();
        round("d", TIMESTAMP + 30);
        Map<String, Long> counts = awaitExactCounts();
        assertThat(counts.entrySet().stream().filter(e -> e.getKey().startsWith("/id/")).mapToLong(Map.Entry::getValue).sum())
                .as("one count per event id").isEqualTo(4 * IDS_PER_ROUND);
        assertThat(counts.get("/no-id")).as("views without an id, counted every time").isEqualTo(4 * NO_ID_VIEWS_PER_ROUND);
        Thread.sleep(3000); // later checkpoints must not apply anything again
        try (Jedis jedis = new Jedis("127.0.0.1", up.redisPort)) {
            assertThat(PipelineTraffic.counts(jedis)).isEqualTo(client.expected());
        }
        up.stop(third);
    }

    /**
     * New views, each 202: 12 single views with ids, each sent twice at once (a retry after a timeout); a batch of 8
     * with one id twice, sent twice; 6 views without an id, two of them sent twice.
     */
    private void round(String name, long timestamp) throws Exception {
        for (int i = 0; i < 12; i++) {
            PipelineTraffic.View view = new PipelineTraffic.View("u" + i, "/id/" + (i % 3), timestamp + i % 4, name + "-s" + i);
            assertThat(client.post(view)).isEqualTo(202);
            assertThat(client.post(view)).isEqualTo(202);
            singles.add(view);
        }
        List<PipelineTraffic.View> batch = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            batch.add(new PipelineTraffic.View("w" + i, "/id/batch", timestamp, name + "-b" + i));
        }
        batch.add(batch.get(2)); // the same id twice in one batch
        assertThat(client.postBatch(batch)).isEqualTo(202);
        assertThat(client.postBatch(batch)).isEqualTo(202);
        batches.add(batch);
        for (int i = 0; i < 6; i++) {
            PipelineTraffic.View view = new PipelineTraffic.View("n" + i, "/no-id", timestamp, null);
            assertThat(client.post(view)).isEqualTo(202);
            if (i < 2) {
                assertThat(client.post(view)).isEqualTo(202);
            }
        }
    }

    private void sendAgain() throws Exception {
        for (PipelineTraffic.View view : singles) {
            assertThat(client.post(view)).isEqualTo(202);
        }
        for (List<PipelineTraffic.View> batch : batches) {
            assertThat(client.postBatch(batch)).isEqualTo(202);
        }
    }

    private Map<String, Long> awaitExactCounts() throws Exception {
        try (Jedis jedis = new Jedis("127.0.0.1", up.redisPort)) {
            Map<String, Long> counts = PipelineTraffic.awaitCounts(jedis, client.expected(), Duration.ofSeconds(60));
            assertThat(counts).isEqualTo(client.expected());
            return counts;
        }
    }
}
