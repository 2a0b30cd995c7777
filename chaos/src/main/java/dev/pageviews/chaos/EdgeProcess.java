package dev.pageviews.chaos;

import dev.pageviews.edge.EdgeMain;
import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The edge as its own JVM ({@link EdgeMain}), so it can be killed with {@code kill -9} and started again on
 * the same port, as a crashed edge pod would be replaced. Stopped with the run, at JVM shutdown, or by
 * local-stack's watchdog if the chaos JVM itself is killed.
 */
final class EdgeProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final Path workDir;
    private final int port;
    private final String kafkaBootstrap;
    private final String classpath;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ServiceProcess process;

    private EdgeProcess(Path workDir, String kafkaBootstrap, String classpath) {
        this.workDir = workDir;
        this.port = FreePorts.pick();
        this.kafkaBootstrap = kafkaBootstrap;
        this.classpath = classpath;
    }

    /** Starts the edge on a free port and waits until it is ready (Kafka reachable). */
    static EdgeProcess start(Path workDir, String kafkaBootstrap, String classpath) {
        EdgeProcess edge = new EdgeProcess(workDir, kafkaBootstrap, classpath);
        edge.startProcess();
        return edge;
    }

    int port() {
        return port;
    }

    /** {@code kill -9}: requests in flight get no answer; nothing is flushed. */
    void kill() {
        if (process != null) {
            process.kill();
            process.close();
            process = null;
        }
    }

    /** Starts it again on the same port (after {@link #kill()}) and waits until it is ready. */
    void restart() {
        kill();
        startProcess();
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
            process = null;
        }
    }

    private void startProcess() {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dpageviews.log.file=" + workDir.resolve("edge-app.log"),
                "-cp", classpath,
                EdgeMain.class.getName(),
                "--host", "127.0.0.1",
                "--port", Integer.toString(port),
                "--admin-port", "0", // a free one: only the public port's /readyz status is read
                "--kafka-bootstrap", kafkaBootstrap,
                "--topic", "views",
                "--io-threads", "2",
                "--rate-limit", "0"); // every sender is 127.0.0.1 here: one client to a per-client limit
        process = ServiceProcess.start("edge", command, workDir, workDir.resolve("edge.log"));
        process.awaitReady(this::ready, READY_TIMEOUT);
    }

    private boolean ready() {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
