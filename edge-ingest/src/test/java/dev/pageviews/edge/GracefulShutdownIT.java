package dev.pageviews.edge;

import static dev.pageviews.edge.RawHttpClient.post;
import static dev.pageviews.edge.RunningEdge.event;
import static dev.pageviews.edge.RunningEdge.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.settings.Setting;
import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Shutdown finishes what was received, flushes the producer, and a SIGTERM'd process exits 0. */
@ExtendWith(LocalStackExtension.class)
class GracefulShutdownIT {

    private static final long TS = 1_730_814_562L;

    @Test
    void closeAnswersInFlightRequestsClosesIdleConnectionsAndStopsListening(LocalStack stack) throws Exception {
        // events wait ~1 s in the producer: close() starts while all of them are in flight
        RunningEdge edge = RunningEdge.start(stack.kafka(), "edge-shutdown-it", "--kafka-linger", "1000");
        try (RawHttpClient busy = new RawHttpClient(edge.port()); RawHttpClient idle = new RawHttpClient(edge.port())) {
            idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(idle.read().status()).isEqualTo(200);
            ByteArrayOutputStream requests = new ByteArrayOutputStream();
            for (int i = 0; i < 10; i++) {
                requests.writeBytes(post("/api/v1/track", "application/json", event("shutdown", "/s" + i, TS)));
            }
            busy.send(requests.toByteArray());
            awaitEventsInFlight(edge, 10);

            CompletableFuture<Void> closing = CompletableFuture.runAsync(edge::close);
            List<RawHttpClient.Response> responses = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                responses.add(busy.read());
            }
            closing.get(30, TimeUnit.SECONDS);

            assertThat(responses).extracting(RawHttpClient.Response::status).containsOnly(202);
            assertThat(responses.subList(0, 9)).allSatisfy(r -> assertThat(r.header("connection")).isNull());
            assertThat(responses.get(9).header("connection")).isEqualTo("close");
            assertThat(busy.closedByServerWithin(Duration.ofSeconds(5))).isTrue();
            assertThat(idle.closedByServerWithin(Duration.ofSeconds(5))).isTrue();
            assertThatThrownBy(() -> new RawHttpClient(edge.port())).isInstanceOf(ConnectException.class);
            Set<String> ids = responses.stream().map(r -> json(r.body()).get("event_id").asText()).collect(Collectors.toSet());
            assertThat(TopicReader.readUntil(edge.bootstrap, edge.topic, records -> records.size() >= 10, Duration.ofSeconds(30))
                    .stream().map(r -> TrackEndpointIT.decode(r).eventId()).collect(Collectors.toSet())).isEqualTo(ids);
        } finally {
            edge.close(); // a second close waits for the first and returns
        }
    }

    @Test
    void sigtermStopsTheProcessGracefullyWithExitCode0(LocalStack stack) throws Exception {
        String topic = "edge-sigterm-it";
        stack.kafka().createTopic(topic, 4);
        int port = FreePorts.pick();
        Path log = Files.createTempFile(LocalStackExtension.newWorkDir(), "edge-main", ".log");
        Process edge = java(log, "dev.pageviews.edge.EdgeMain", "--port", Integer.toString(port), "--admin-port", "0",
                "--kafka-bootstrap", stack.kafka().bootstrapServers(), "--topic", topic, "--kafka-linger", "200");
        try {
            RawHttpClient client = awaitListening(port, edge, log);
            try (client) {
                client.send(post("/api/v1/track", "application/json", event("sigterm", "/t", TS)));
                assertThat(client.read().status()).isEqualTo(202);
                client.send(post("/api/v1/track", "application/json", event("sigterm", "/in-flight", TS)));
                Thread.sleep(50); // received, waiting in the producer's linger

                edge.destroy(); // SIGTERM

                RawHttpClient.Response inFlight = client.read();
                assertThat(inFlight.status()).isEqualTo(202);
                assertThat(inFlight.header("connection")).isEqualTo("close");
            }
            assertThat(edge.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(edge.exitValue()).as(Files.readString(log)).isZero();
            assertThat(Files.readString(log)).contains("SIGTERM received: stopping gracefully").contains("Edge stopped; 2 events produced");
            assertThat(TopicReader.readAtLeast(stack.kafka().bootstrapServers(), topic, 2)).hasSize(2);
        } finally {
            edge.destroyForcibly();
        }
    }

    @Test
    void helpPrintsEveryFlagWithItsVariableAndDefault() throws Exception {
        Path log = Files.createTempFile(LocalStackExtension.newWorkDir(), "edge-help", ".log");
        Process help = java(log, "dev.pageviews.edge.EdgeMain", "--help");
        try {
            assertThat(help.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String out = Files.readString(log);
            assertThat(help.exitValue()).isZero();
            String words = out.replaceAll("\\s+", " "); // docs are wrapped
            for (Setting<?> setting : EdgeConfig.settings()) {
                assertThat(words).contains(setting.flag()).contains(setting.envName()).contains(setting.doc());
            }
            assertThat(out).contains("--port").contains("EDGE_PORT").contains("default: 8080");
        } finally {
            help.destroyForcibly();
        }
    }

    @Test
    void unknownFlagExits2NamingTheFlag() throws Exception {
        Path log = Files.createTempFile(LocalStackExtension.newWorkDir(), "edge-bad-flag", ".log");
        Process bad = java(log, "dev.pageviews.edge.EdgeMain", "--prot", "8080");
        try {
            assertThat(bad.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(bad.exitValue()).isEqualTo(2);
            assertThat(Files.readString(log)).contains("edge-ingest: unknown setting --prot; did you mean --port?; --help lists them all");
        } finally {
            bad.destroyForcibly();
        }
    }

    @Test
    void aCodecWhoseNativeLibraryCannotLoadStopsTheStartNamingTheSetting() throws Exception {
        // snappy-java told to load its library from the system, where there is none: as on a platform it has no build for
        Path log = Files.createTempFile(LocalStackExtension.newWorkDir(), "edge-codec", ".log");
        Process edge = java(log, List.of("-Dorg.xerial.snappy.use.systemlib=true"), "dev.pageviews.edge.EdgeMain",
                "--kafka-compression", "snappy", "--kafka-bootstrap", "127.0.0.1:1", "--port", "0", "--admin-port", "0");
        try {
            assertThat(edge.waitFor(30, TimeUnit.SECONDS)).as("the edge stops at start").isTrue();
            assertThat(edge.exitValue()).isEqualTo(1);
            assertThat(Files.readString(log)).contains("--kafka-compression (EDGE_KAFKA_COMPRESSION) snappy does not work on "
                    + "this machine: ").contains("snappyjava").contains("Choose another codec, e.g. lz4 or none.");
        } finally {
            edge.destroyForcibly();
        }
    }

    private static Process java(Path log, String mainClass, String... args) throws IOException {
        return java(log, List.of(), mainClass, args);
    }

    private static Process java(Path log, List<String> jvmOptions, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static RawHttpClient awaitListening(int port, Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the edge exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                RawHttpClient client = new RawHttpClient(port);
                client.send("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
                if (client.read().status() == 200) {
                    return client;
                }
                client.close();
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the edge did not get ready on port " + port + ":\n" + Files.readString(log));
    }

    private static void awaitEventsInFlight(RunningEdge edge, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (edge.server.metrics().eventsInFlight().get() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(edge.server.metrics().eventsInFlight().get()).isEqualTo(count);
    }
}
