package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.LocalStackExtension;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    private final int httpPort = FreePorts.pick();
    private final int redisPort = FreePorts.pick();
    private final int kafkaPort = FreePorts.pick();
    private final int uiPort = FreePorts.pick();
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killWhatIsLeft() throws Exception {
        ServicePids.killLeftovers(started, dataDir);
    }

    @Test
    void killedWithSigkillAndStartedAgainCountsEveryAcceptedViewOnce() throws Exception {
        Process first = startUp("first");
        awaitReady();
        PipelineTraffic traffic = new PipelineTraffic(httpPort, Map.of());
        for (int i = 0; i < 100; i++) {
            assertThat(traffic.post("u" + i, "/a/" + (i % 5), TIMESTAMP + i / 20)).isEqualTo(202);
        }
        try (Jedis jedis = new Jedis("127.0.0.1", redisPort)) {
            assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(30))).isEqualTo(traffic.expected());
        }
        for (int i = 0; i < 100; i++) {
            assertThat(traffic.post("v" + i, "/b/" + (i % 4), TIMESTAMP + 10 + i / 20)).isEqualTo(202);
        }
        List<Long> services = ServicePids.of(dataDir);
        assertThat(services).hasSize(2);
        first.destroyForcibly(); // kill -9: no shutdown hook, no savepoint
        first.waitFor(30, TimeUnit.SECONDS);
        ServicePids.awaitDead(services); // the watchdog stops Kafka and Redis once their parent is gone

        Process second = startUp("second");
        awaitReady();
        try (Jedis jedis = new Jedis("127.0.0.1", redisPort)) {
            assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(60))).isEqualTo(traffic.expected());
            assertThat(traffic.post("u1", "/home", TIMESTAMP)).isEqualTo(202);
            assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(30))).isEqualTo(traffic.expected());
            Thread.sleep(3000); // later checkpoints must not apply anything again
            assertThat(PipelineTraffic.counts(jedis)).isEqualTo(traffic.expected());
        }
        assertThat(traffic.expected().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(201);

        services = ServicePids.of(dataDir);
        second.destroy(); // SIGTERM, as Ctrl-C or Kubernetes would
        assertThat(second.waitFor(90, TimeUnit.SECONDS)).isTrue();
        ServicePids.awaitDead(services);
        assertThat(Files.readString(dataDir.resolve("up-second.out"))).contains("Job stopped with savepoint");
    }

    private Process startUp(String name) throws Exception {
        String classpath = "target/classes" + File.pathSeparator + Files.readString(Path.of("target/runtime.classpath")).trim();
        Process process = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dpageviews.log.file=" + dataDir.resolve("pageviews.log"),
                "-cp", classpath, PageviewsUp.class.getName(),
                "--data-dir", dataDir.toString(),
                "--http-port", Integer.toString(httpPort), "--ui-port", Integer.toString(uiPort),
                "--kafka-port", Integer.toString(kafkaPort), "--redis-port", Integer.toString(redisPort))
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("up-" + name + ".out").toFile())
                .start();
        started.add(process);
        return process;
    }

    private void awaitReady() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/readyz"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("pageviews up did not become ready; see " + dataDir);
    }
}
