package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.ClassDataArchive;
import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.ServiceProcess;
import java.io.File;
import java.io.IOException;
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
import java.util.stream.Stream;

/**
 * {@code ./pageviews up} as its own process, the way the {@code pageviews} script starts it, for tests: every run on
 * one data dir and the same ports, its output in {@code <data-dir>/up-<name>.out}. {@link #killLeftovers()} (from an
 * {@code @AfterEach}) stops whatever a failed test left running.
 */
final class UpProcesses {

    final Path dataDir;
    final int httpPort = FreePorts.pick();
    final int edgeAdminPort = FreePorts.pick();
    final int redisPort = FreePorts.pick();
    final int kafkaPort = FreePorts.pick();
    final int uiPort = FreePorts.pick();
    final int statsPort = FreePorts.pick();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> started = new ArrayList<>();

    UpProcesses(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Starts {@code up} with {@code env} added to its environment and {@code extra} after the ports and data dir. */
    Process start(String name, Map<String, String> env, String... extra) throws Exception {
        String classpath = upClasses() + File.pathSeparator + Files.readString(Path.of("target/runtime.classpath")).trim();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        // class-data sharing as the pageviews script sets it up, for up's JVM and its Kafka broker's, when the build asks
        String cdsDir = System.getProperty(ClassDataArchive.DIR_PROPERTY, "").trim();
        if (!cdsDir.isEmpty()) {
            command.addAll(ClassDataArchive.options("up", classpath));
            command.add("-D" + ClassDataArchive.DIR_PROPERTY + "=" + cdsDir);
        }
        command.addAll(List.of("-Dpageviews.log.file=" + dataDir.resolve("pageviews.log"),
                "-cp", classpath, PageviewsUp.class.getName(),
                "--data-dir", dataDir.toString(),
                "--http-port", Integer.toString(httpPort), "--edge-admin-port", Integer.toString(edgeAdminPort),
                "--ui-port", Integer.toString(uiPort), "--stats-port", Integer.toString(statsPort),
                "--kafka-port", Integer.toString(kafkaPort), "--redis-port", Integer.toString(redisPort)));
        command.addAll(List.of(extra));
        // a session and process group of its own, as a terminal gives the command it runs: see stopAsFromATerminal
        ProcessBuilder builder = new ProcessBuilder(ServiceProcess.inOwnSession(command)).redirectErrorStream(true)
                .redirectOutput(output(name).toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        started.add(process);
        return process;
    }

    /** The module's jar, as the pageviews script runs it (a class-data archive takes classes from jars only), else its classes. */
    private static String upClasses() throws IOException {
        try (Stream<Path> built = Files.list(Path.of("target"))) {
            return built.map(Path::toString).filter(name -> name.matches(".*/local-pipeline-[^/]*\\.jar")
                    && !name.endsWith("-tests.jar")).findFirst().orElse("target/classes");
        }
    }

    /** What the run called {@code name} printed (console log included). */
    Path output(String name) {
        return dataDir.resolve("up-" + name + ".out");
    }

    /**
     * Waits until the run called {@code name} has printed {@code text}: the edge answers /readyz before {@code up}
     * prints its banner, so a test reading the banner right after {@link #awaitReady()} would race it.
     */
    String awaitOutput(String name, String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String out = "";
        while (System.nanoTime() < deadline) {
            out = Files.exists(output(name)) ? Files.readString(output(name)) : "";
            if (out.contains(text)) {
                return out;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("pageviews up (" + name + ") did not print \"" + text + "\" within 60 s; it printed:\n" + out);
    }

    /** Waits until /readyz answers 200. */
    void awaitReady() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (readyz() == 200) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("pageviews up did not become ready; see " + dataDir);
    }

    /** Waits until the edge answers /readyz at all; returns that first status. */
    int awaitListening(Process process) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            int status = readyz();
            if (status > 0) {
                return status;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("pageviews up did not listen; see " + dataDir);
    }

    /** The status of GET /readyz, or -1 when nothing listens. */
    int readyz() throws Exception {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/readyz"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (IOException notListening) {
            return -1;
        }
    }

    /** SIGTERM, as Ctrl-C or Kubernetes would; waits until {@code up}, Kafka and Redis have ended. */
    void stop(Process process) throws Exception {
        List<Long> services = ServicePids.of(dataDir);
        process.destroy();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("up stops on SIGTERM").isTrue();
        ServicePids.awaitDead(services);
    }

    /**
     * SIGTERM to {@code up}'s whole process group, as a terminal's Ctrl-C (SIGINT) or {@code timeout} and service
     * managers (SIGTERM) send it: Kafka and Redis must not end before {@code up} has stopped the job. SIGINT would be
     * ignored if this JVM was started with it ignored, so the test sends SIGTERM; both end Redis and Kafka alike.
     */
    void stopAsFromATerminal(Process process) throws Exception {
        assertThat(new ProcessBuilder("ps", "-o", "pgid=", "-p", Long.toString(process.pid())).start().inputReader().readLine())
                .as("up leads its process group (started with setsid)").isEqualToIgnoringWhitespace(Long.toString(process.pid()));
        List<Long> services = ServicePids.of(dataDir);
        Process kill = new ProcessBuilder("kill", "-TERM", "--", "-" + process.pid()).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -TERM -- -%d", process.pid()).isZero();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("up stops on its group's SIGTERM").isTrue();
        ServicePids.awaitDead(services);
    }

    /** kill -9: no shutdown hook, no savepoint; waits until the watchdog has stopped Kafka and Redis too. */
    void kill(Process process) throws Exception {
        List<Long> services = ServicePids.of(dataDir);
        assertThat(services).as("Kafka and Redis of the running up").hasSize(2);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        ServicePids.awaitDead(services);
    }

    /** Whatever a failed test left running: the {@code up} processes it started, then their Kafka and Redis. */
    void killLeftovers() throws Exception {
        ServicePids.killLeftovers(started, dataDir);
    }
}
