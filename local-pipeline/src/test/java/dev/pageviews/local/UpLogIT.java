package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.LocalStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code ./pageviews up} writes to {@code <data-dir>/pageviews.log} while it runs: checkpoints, but not the
 * warning Flink 2.2 logs for each of them on every committer subtask (its committer re-registers the gauge
 * {@code pendingCommittables} when it copies its state; up's log configuration drops that one message).
 */
class UpLogIT {

    private final Path dataDir = LocalStackExtension.newWorkDir();
    private final UpProcesses up = new UpProcesses(dataDir);

    @AfterEach
    void killWhatIsLeft() throws Exception {
        up.killLeftovers();
    }

    @Test
    void checkpointsDoNotFillTheLogWithFlinksCommitterGaugeWarning() throws Exception {
        Process process = up.start("log", Map.of());
        up.awaitReady();
        Path log = dataDir.resolve("pageviews.log");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (completedCheckpoints(log) < 3 && System.nanoTime() < deadline) {
            Thread.sleep(250); // each checkpoint snapshots the committers of all three sinks, on every subtask
        }
        up.stop(process);

        String text = Files.readString(log);
        assertThat(completedCheckpoints(text)).as("checkpoints in " + log).isGreaterThanOrEqualTo(3);
        assertThat(text).as(log.toString()).doesNotContain("'pendingCommittables'");
    }

    private static long completedCheckpoints(Path log) throws Exception {
        return Files.exists(log) ? completedCheckpoints(Files.readString(log)) : 0;
    }

    private static long completedCheckpoints(String text) {
        return text.lines().filter(l -> l.contains("Completed checkpoint")).count();
    }
}
