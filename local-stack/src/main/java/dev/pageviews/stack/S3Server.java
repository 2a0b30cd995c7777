package dev.pageviews.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real S3 API server on loopback: S3Proxy over a local directory ({@code workDir/data}, one folder per
 * bucket), run as a separate JVM from the jars Maven resolved for the module local-stack/s3-server. It checks
 * AWS signatures (v2 and v4) against a fixed local key pair, so clients are configured as for a real store:
 * endpoint, path-style access, access key and secret key. Starting again on the same dir keeps the objects.
 */
public final class S3Server implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(S3Server.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final String ACCESS_KEY = "pageviews-local";
    private static final String SECRET_KEY = "pageviews-local-secret";

    private final Path workDir;
    private final int port;
    private final S3Api api;
    private ServiceProcess process;
    private S3OrphanJanitor janitor;

    private S3Server(Path workDir, int port) {
        this.workDir = workDir.toAbsolutePath();
        this.port = FreePorts.orFree(port);
        this.api = new S3Api(endpoint(), ACCESS_KEY, SECRET_KEY);
    }

    /** Starts the server on {@code port} (0 for a free one), keeping buckets and objects under {@code workDir/data}. */
    public static S3Server start(Path workDir, int port) {
        S3Server server = new S3Server(workDir, port);
        server.startProcess();
        return server;
    }

    /** {@code http://127.0.0.1:port}: the S3 endpoint, for path-style access. */
    /**
     * The {@code s3.*} keys that point Flink's S3 file system (flink-s3-fs-hadoop) at this server, for the Flink
     * configuration of a local cluster (a cluster reads them when it starts, not from a job). They also leave S3A's
     * directory markers alone after a write (Hadoop 3.4's default; the plugin's Hadoop 3.3.4 still deletes them):
     * a store that keeps objects as files answers such a delete with an error that S3A retries for minutes.
     */
    public Map<String, String> flinkFileSystemSettings() {
        return Map.of(
                "s3.endpoint", endpoint(),
                "s3.path.style.access", "true",
                "s3.access-key", accessKey(),
                "s3.secret-key", secretKey(),
                "s3.directory.marker.retention", "keep");
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    public Path logFile() {
        return workDir.resolve("s3.log");
    }

    /** Creates the bucket unless it exists. */
    public void createBucket(String name) {
        api.createBucket(name);
        LOG.info("Created bucket {} at {}", name, endpoint());
    }

    /** A small signed client for this server: list and read objects, e.g. to check what a job wrote. */
    public S3Api api() {
        return api;
    }

    public void stop() {
        if (janitor != null) {
            janitor.close();
            janitor = null;
        }
        if (process != null) {
            process.close();
            process = null;
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        stop();
    }

    private void startProcess() {
        try {
            Path dataDir = workDir.resolve("data");
            Files.createDirectories(dataDir);
            Path config = workDir.resolve("s3proxy.properties");
            Files.writeString(config, properties(dataDir), StandardCharsets.UTF_8);
            Path logback = workDir.resolve("logback.xml");
            Files.writeString(logback, LOGBACK_CONFIG, StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-Dlogback.configurationFile=" + logback));
            command.addAll(List.of("-cp", serverClasspath(), "org.gaul.s3proxy.Main", "--properties", config.toString()));
            process = ServiceProcess.start("s3proxy", command, workDir, logFile());
            process.awaitReady(api::answers, READY_TIMEOUT); // a signed ListBuckets: the API and the keys work
            janitor = S3OrphanJanitor.start(dataDir);
            LOG.info("S3 ready at {} (data: {})", endpoint(), dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the S3 server in " + workDir, e);
        }
    }

    private String properties(Path dataDir) {
        return String.join("\n",
                "# written by local-stack; edits are overwritten on start",
                "s3proxy.endpoint=" + endpoint(),
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem-nio2",
                "jclouds.filesystem.basedir=" + dataDir,
                "");
    }

    static String serverClasspath() {
        return ServiceClasspath.of("S3 server", "s3-server");
    }

    // S3Proxy logs every request at DEBUG by default; requests and errors at INFO are enough here.
    private static final String LOGBACK_CONFIG = String.join("\n",
            "<configuration>",
            "  <appender name=\"out\" class=\"ch.qos.logback.core.ConsoleAppender\">",
            "    <encoder><pattern>[%d] %-5level %logger{20} - %msg%n</pattern></encoder>",
            "  </appender>",
            "  <logger name=\"org.gaul.shaded\" level=\"WARN\"/>",
            "  <logger name=\"org.eclipse.jetty\" level=\"WARN\"/>",
            "  <logger name=\"org.jclouds\" level=\"WARN\"/>",
            "  <root level=\"INFO\"><appender-ref ref=\"out\"/></root>",
            "</configuration>",
            "");
}
