package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.LocalStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * {@code ./pageviews up} as its own process when things go wrong: {@code --fresh} keeps this run's log, the edge
 * answers only once the job runs, a setting the saved state cannot follow stops {@code up} with a message naming
 * it (and nothing listens), a task that cannot restore its state stops it rather than restarting forever, and a
 * job that ends under a running {@code up} stops it with an error.
 */
class UpFailuresIT {

    private static final long TIMESTAMP = 1_730_814_562L;

    private final Path dataDir = LocalStackExtension.newWorkDir();
    private final UpProcesses up = new UpProcesses(dataDir);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void killWhatIsLeft() throws Exception {
        up.killLeftovers();
    }

    @Test
    void freshKeepsTheLogUnrestorableSettingsStopUpAndAnEndedJobStopsIt() throws Exception {
        Files.createDirectories(dataDir.resolve("flink/checkpoints"));
        Files.writeString(dataDir.resolve("flink/checkpoints/left-over"), "from an earlier run");

        // --fresh: the data dir is emptied, this run's log survives; the edge listens only once the job runs
        Process first = up.start("first", Map.of(), "--fresh");
        int firstAnswer = up.awaitListening(first);
        assertThat(firstAnswer).as("/readyz when the edge first answers").isEqualTo(200);
        assertThat(jobStatus()).isEqualTo("RUNNING");
        assertThat(dataDir.resolve("flink/checkpoints/left-over")).doesNotExist();
        assertThat(Files.readString(dataDir.resolve("pageviews.log"))).contains("Edge listening on 127.0.0.1:" + up.httpPort);

        PipelineTraffic traffic = new PipelineTraffic(up.httpPort, Map.of());
        for (int i = 0; i < 30; i++) {
            assertThat(traffic.post("u" + i, "/f/" + (i % 3), TIMESTAMP + i / 10)).isEqualTo(202);
        }
        try (Jedis jedis = new Jedis("127.0.0.1", up.redisPort)) {
            assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(60))).isEqualTo(traffic.expected());
        }
        up.stop(first);

        // exactly-once -> at-least-once drops the Redis sink's committer: its pending commits would be lost
        Process second = up.start("second", Map.of("PAGEVIEWS_DELIVERY", "at-least-once"));
        assertThat(second.waitFor(180, TimeUnit.SECONDS)).as("up stops by itself").isTrue();
        assertThat(second.exitValue()).isEqualTo(1);
        String out = Files.readString(up.output("second"));
        assertThat(out).contains("ERROR").contains("cannot resume from").contains("--delivery").contains("--fresh");
        assertThat(out).doesNotContain("pageviews is up");
        ServicePids.awaitDead(ServicePids.of(dataDir));

        // back to the previous setting: resumes, counts exact; then the job is cancelled under it
        Process third = up.start("third", Map.of());
        up.awaitListening(third);
        try (Jedis jedis = new Jedis("127.0.0.1", up.redisPort)) {
            assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(60))).isEqualTo(traffic.expected());
        }
        List<Long> services = ServicePids.of(dataDir);
        cancelJob();
        assertThat(third.waitFor(120, TimeUnit.SECONDS)).as("up stops when its job ended").isTrue();
        assertThat(third.exitValue()).isEqualTo(1);
        assertThat(Files.readString(up.output("third"))).contains("ERROR").contains("ended unexpectedly (CANCELED)");
        assertThat(up.readyz()).as("nothing answers once up stopped").isEqualTo(-1);
        ServicePids.awaitDead(services);
    }

    /**
     * A task that cannot restore its state fails at every restart, so Flink alone would restart it forever:
     * {@code up} stops at the first failure instead. Here a RocksDB incremental checkpoint (what a crash leaves) is
     * restored with the heap state backend, which cannot read it.
     */
    @Test
    void aTaskThatCannotRestoreItsStateStopsUpInsteadOfRestartingForever() throws Exception {
        Map<String, String> rocksdb = Map.of("PAGEVIEWS_STATE_BACKEND", "rocksdb");
        Process first = up.start("first", rocksdb);
        assertThat(up.awaitListening(first)).isEqualTo(200);
        PipelineTraffic traffic = new PipelineTraffic(up.httpPort, Map.of());
        for (int i = 0; i < 30; i++) {
            assertThat(traffic.post("u" + i, "/k/" + (i % 3), TIMESTAMP + i / 10)).isEqualTo(202);
        }
        try (Jedis jedis = new Jedis("127.0.0.1", up.redisPort)) {
            assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(60))).isEqualTo(traffic.expected());
        }
        up.kill(first); // kill -9: the next start resumes from the last (incremental) checkpoint

        Process second = up.start("second", Map.of("PAGEVIEWS_STATE_BACKEND", "hashmap"));
        assertThat(second.waitFor(180, TimeUnit.SECONDS)).as("up stops by itself").isTrue();
        assertThat(second.exitValue()).isEqualTo(1);
        String out = Files.readString(up.output("second"));
        assertThat(out).contains("ERROR").contains("cannot resume from").contains("chk-")
                .contains("failed while starting").contains("--state-backend hashmap (was rocksdb)").contains("--fresh");
        assertThat(out).doesNotContain("pageviews is up");
        ServicePids.awaitDead(ServicePids.of(dataDir));

        Process third = up.start("third", rocksdb); // the previous setting: resumes, counts exact
        up.awaitListening(third);
        try (Jedis jedis = new Jedis("127.0.0.1", up.redisPort)) {
            assertThat(traffic.post("u1", "/home", TIMESTAMP + 60)).isEqualTo(202);
            assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(60))).isEqualTo(traffic.expected());
        }
        up.stop(third);
    }

    private String jobStatus() throws Exception {
        Matcher m = Pattern.compile("\"status\":\"([A-Z]+)\"").matcher(flinkJobs());
        return m.find() ? m.group(1) : "none";
    }

    /** Cancels the job through Flink's REST API, as the web UI's Cancel button does. */
    private void cancelJob() throws Exception {
        Matcher m = Pattern.compile("\"id\":\"([0-9a-f]{32})\"").matcher(flinkJobs());
        assertThat(m.find()).isTrue();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + up.uiPort + "/jobs/" + m.group(1)
                + "?mode=cancel")).method("PATCH", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private String flinkJobs() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + up.uiPort + "/jobs")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
