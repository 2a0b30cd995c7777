package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.LocalStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * {@code ./pageviews up} as its own process, killed with {@code kill -9} while views are in flight and
 * started again: every accepted view is counted once, and SIGTERM leaves no Kafka or Redis behind.
 */
class UpProcessIT {

    private static final long TIMESTAMP = 1_730_814_562L;

    private final Path dataDir = LocalStackExtension.newWorkDir();
    private final UpProcesses up = new UpProcesses(dataDir);

    @AfterEach
    void killWhatIsLeft() throws Exception {
        up.killLeftovers();
    }

    @Test
    void killedWithSigkillAndStartedAgainCountsEveryAcceptedViewOnce() throws Exception {
        Process first = up.start("first", Map.of());
        up.awaitReady();
        PipelineTraffic traffic = new PipelineTraffic(up.httpPort, Map.of());
        for (int i = 0; i < 100; i++) {
            assertThat(traffic.post("u" + i, "/a/" + (i % 5), TIMESTAMP + i / 20)).isEqualTo(202);
        }
        try (Jedis jedis = new Jedis("127.0.0.1", up.redisPort)) {
            assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(30))).isEqualTo(traffic.expected());
        }
        for (int i = 0; i < 100; i++) {
            assertThat(traffic.post("v" + i, "/b/" + (i % 4), TIMESTAMP + 10 + i / 20)).isEqualTo(202);
        }
        up.kill(first); // kill -9: no shutdown hook, no savepoint; the watchdog stops Kafka and Redis once their parent is gone

        Process second = up.start("second", Map.of());
        up.awaitReady();
        try (Jedis jedis = new Jedis("127.0.0.1", up.redisPort)) {
            assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(60))).isEqualTo(traffic.expected());
            assertThat(traffic.post("u1", "/home", TIMESTAMP)).isEqualTo(202);
            assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(30))).isEqualTo(traffic.expected());
            Thread.sleep(3000); // later checkpoints must not apply anything again
            assertThat(PipelineTraffic.counts(jedis)).isEqualTo(traffic.expected());
        }
        assertThat(traffic.expected().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(201);

        up.stop(second); // SIGTERM, as Ctrl-C or Kubernetes would
        assertThat(Files.readString(up.output("second"))).contains("Job stopped with savepoint");
    }
}
