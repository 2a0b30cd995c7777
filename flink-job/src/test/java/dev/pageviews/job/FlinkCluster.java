package dev.pageviews.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/** A real Flink MiniCluster (2 TaskManagers × 2 slots) that tests can submit to, fail, stop and restore. */
final class FlinkCluster implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final MiniCluster cluster;

    FlinkCluster() throws Exception {
        this(new Configuration());
    }

    /**
     * With extra cluster settings, e.g. the s3.* keys. File systems are configured from them (and the plugins in
     * FLINK_PLUGINS_DIR) as a TaskManager does at start, for this JVM.
     */
    FlinkCluster(Configuration extra) throws Exception {
        Configuration conf = new Configuration(extra);
        if (!extra.toMap().isEmpty()) {
            FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
        }
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(64));
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(2)
                .setNumSlotsPerTaskManager(2)
                .build());
        cluster.start();
    }

    /** Submits the pageviews job, restored from {@code restorePath} when given. */
    JobID submit(JobConfig config, String restorePath) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(PageViewsJob.flinkConfiguration(config));
        PageViewsJob.define(env, config);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(PageViewsJob.JOB_NAME);
        if (restorePath != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restorePath, false));
        }
        JobID id = cluster.submitJob(graph).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).getJobID();
        awaitStatus(id, JobStatus.RUNNING);
        return id;
    }

    void awaitStatus(JobID id, JobStatus wanted) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        JobStatus status;
        while ((status = cluster.getJobStatus(id).get(10, TimeUnit.SECONDS)) != wanted) {
            if (status.isGloballyTerminalState() || System.nanoTime() > deadline) {
                throw new AssertionError("job " + id + " is " + status + ", expected " + wanted);
            }
            Thread.sleep(100);
        }
    }

    JobStatus status(JobID id) throws Exception {
        return cluster.getJobStatus(id).get(10, TimeUnit.SECONDS);
    }

    /** Whether a task of the job failed and runs again (its current attempt is not its first). */
    boolean hasRestarted(JobID id) throws Exception {
        for (AccessExecutionVertex vertex : cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS).getAllExecutionVertices()) {
            if (vertex.getCurrentExecutionAttempt().getAttemptNumber() > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The sum over all subtasks of the job's operator metric {@code name} (e.g. {@code eventsFutureClamped}), as the
     * REST API reports it (which refreshes metrics every few seconds), or -1 while no operator reports it yet.
     */
    long metricSum(JobID id, String name) throws Exception {
        String base = cluster.getRestAddress().get(10, TimeUnit.SECONDS).toString() + "/jobs/" + id;
        long sum = -1;
        Set<String> vertexIds = new LinkedHashSet<>(); // the job's plan names each vertex again
        Matcher vertices = Pattern.compile("\"id\":\"([0-9a-f]{32})\"").matcher(rest(base));
        while (vertices.find()) {
            vertexIds.add(vertices.group(1));
        }
        for (String vertex : vertexIds) {
            String metrics = base + "/vertices/" + vertex + "/subtasks/metrics";
            Matcher ids = Pattern.compile("\"id\":\"([^\"]*\\." + Pattern.quote(name) + ")\"").matcher(rest(metrics));
            while (ids.find()) {
                String value = rest(metrics + "?agg=sum&get=" + URLEncoder.encode(ids.group(1), StandardCharsets.UTF_8));
                Matcher sumOf = Pattern.compile("\"sum\":([0-9.]+)").matcher(value);
                if (sumOf.find()) {
                    sum = Math.max(sum, 0) + (long) Double.parseDouble(sumOf.group(1));
                }
            }
        }
        return sum;
    }

    private static String rest(String uri) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** Kills a TaskManager: its tasks fail and the job recovers from its latest checkpoint. */
    void killTaskManager() throws Exception {
        cluster.terminateTaskManager(0).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        cluster.startTaskManager();
    }

    /** Cancels without a savepoint, as a crash would end it; the retained checkpoint stays. */
    void cancel(JobID id) throws Exception {
        cluster.cancelJob(id).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        awaitStatus(id, JobStatus.CANCELED);
    }

    String stopWithSavepoint(JobID id, Path dir) throws Exception {
        return stopWithSavepoint(id, dir, false);
    }

    /** With {@code drain}, sources end first: windows fire and sinks finish their open files in the final checkpoint. */
    String stopWithSavepoint(JobID id, Path dir, boolean drain) throws Exception {
        return cluster.stopWithSavepoint(id, dir.toUri().toString(), drain, SavepointFormatType.CANONICAL)
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The newest completed checkpoint under a checkpoint directory (one with its _metadata written). */
    static Optional<Path> latestCheckpoint(Path checkpointDir) {
        try (Stream<Path> files = Files.walk(checkpointDir, 3)) {
            return files.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .map(Path::getParent)
                    .filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .max(Comparator.comparingLong(FlinkCluster::modified));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p.resolve("_metadata")).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
