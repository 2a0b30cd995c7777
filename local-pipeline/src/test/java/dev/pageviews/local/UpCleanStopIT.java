package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

/**
 * A clean stop of {@code ./pageviews up} leaves nothing hidden: when {@code up} has exited, every view it accepted is
 * counted in Redis (read from Redis's own files, with {@code up} gone) and is in finished archive files; no in-progress
 * or other hidden file is left. Started again, it continues exactly: after a second round and a second stop, Redis and
 * the archive hold every view once. The first stop is a SIGTERM to {@code up} alone; the second goes to its whole
 * process group, as a terminal's Ctrl-C does, and must stop just as cleanly: with a savepoint, Kafka and Redis last.
 */
class UpCleanStopIT {

    private static final Logger LOG = LoggerFactory.getLogger(UpCleanStopIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dataDir = LocalStackExtension.newWorkDir();
    private final UpProcesses up = new UpProcesses(dataDir);
    private final PipelineTraffic client = new PipelineTraffic(up.httpPort, Map.of());

    @AfterEach
    void killWhatIsLeft() throws Exception {
        up.killLeftovers();
    }

    @Test
    void everyAcceptedViewIsCountedAndArchivedInFinishedFilesWhenUpHasExitedAndAgainAfterARestart() throws Exception {
        Process first = up.start("first", Map.of());
        up.awaitReady();
        long now = System.currentTimeMillis() / 1000;
        round("a", now, 50);
        up.stop(first); // at once: the last views' windows are still open, their part file in progress

        assertEverythingVisible("after the first stop", 50);

        Process second = up.start("second", Map.of());
        up.awaitReady();
        for (int i = 0; i < 10; i++) { // a client that never saw its replies sends again: counted once
            assertThat(client.post(view("a", now, i))).isEqualTo(202);
        }
        round("b", now + 5, 40);
        up.stopAsFromATerminal(second);
        assertThat(Files.readString(up.output("second"))).as("the second run's output")
                .contains("Stopped.").doesNotContain("Stop with savepoint failed");

        assertEverythingVisible("after the second stop", 90);
    }

    private void round(String name, long timestamp, int views) throws Exception {
        for (int i = 0; i < views; i++) {
            assertThat(client.post(view(name, timestamp, i))).isEqualTo(202);
        }
    }

    private static PipelineTraffic.View view(String round, long timestamp, int i) {
        return new PipelineTraffic.View("u" + i, "/stop/" + (i % 5), timestamp + i % 3, round + "-" + i);
    }

    private void assertEverythingVisible(String when, int views) throws Exception {
        Map<String, Long> counted;
        try (RedisServer redis = RedisServer.start(dataDir.resolve("redis"), 0, RedisServer.Persistence.APPEND_ONLY);
                Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            counted = PipelineTraffic.counts(jedis);
        }
        Path archive = dataDir.resolve("archive");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(archive)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        List<Path> hidden = files.stream().filter(f -> f.getFileName().toString().startsWith(".")
                || f.getFileName().toString().startsWith("_") || f.toString().contains("inprogress")).toList();
        Map<String, Long> archived = new TreeMap<>();
        files.stream().filter(f -> !hidden.contains(f)).flatMap(UpCleanStopIT::lines)
                .forEach(line -> archived.merge(line.get("page_url").asText(), 1L, Long::sum));
        LOG.info("{}: Redis {}, archive {} in {} finished files, hidden files {}", when, counted, archived,
                files.size() - hidden.size(), hidden);

        assertThat(counted).as("Redis " + when).isEqualTo(client.expected());
        assertThat(hidden).as("hidden or in-progress archive files " + when).isEmpty();
        assertThat(archived).as("finished archive files " + when).isEqualTo(client.expected());
        assertThat(archived.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(views);
    }

    private static Stream<JsonNode> lines(Path file) {
        try {
            return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(l -> {
                try {
                    return JSON.readTree(l);
                } catch (IOException e) {
                    throw new UncheckedIOException("not a JSON line in " + file + ": " + l, e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
