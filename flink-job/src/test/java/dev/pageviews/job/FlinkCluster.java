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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Flink MiniCluster (2 TaskManagers × 2 slots) that tests can submit to, fail, stop and restore. The cluster
 * is flink-test-utils' {@link MiniClusterExtension}, from {@link #extension()}: it starts before a class's tests
 * and stops after them, whatever their outcome. A FlinkCluster wraps the MiniCluster it injects; most ITs get both,
 * and the cancelling of the jobs a test leaves running, by extending {@link OnFlinkCluster}.
 */
final class FlinkCluster {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkCluster.class);

    private static final int TASK_MANAGERS = 2;
    private static final int SLOTS_PER_TASK_MANAGER = 2;

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MiniCluster cluster;
    private final URI rest;

    /** The MiniCluster's indices (its start order) of the TaskManagers that run: see {@link #killTaskManager}. */
    private final List<Integer> liveTaskManagers = new ArrayList<>();
    private int nextTaskManager;

    /** The cluster of a {@link #extension()}, as its {@code @InjectMiniCluster} gives it. */
    FlinkCluster(MiniCluster cluster) throws Exception {
        this.cluster = cluster;
        this.rest = cluster.getRestAddress().get(10, TimeUnit.SECONDS);
        IntStream.range(0, TASK_MANAGERS).forEach(liveTaskManagers::add);
        this.nextTaskManager = TASK_MANAGERS;
    }

    /** The cluster for a test class: register it as a static {@code @RegisterExtension} field. */
    static MiniClusterExtension extension() {
        return extension(Configuration::new);
    }

    /**
     * The cluster with extra settings, e.g. the s3.* keys, read when the cluster starts (before the class's tests,
     * so they may come from a server started by an extension registered before this one). File systems are
     * configured from them (and the plugins in FLINK_PLUGINS_DIR) as a TaskManager does at start, for this JVM.
     */
    static MiniClusterExtension extension(Supplier<Configuration> extra) {
        return new MiniClusterExtension(() -> {
            Configuration conf = new Configuration(extra.get());
            if (!conf.toMap().isEmpty()) {
                FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
            }
            conf.set(RestOptions.BIND_PORT, "0");
            conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(500)); // metrics() sees fresh values
            conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(64));
            return new MiniClusterResourceConfiguration.Builder()
                    .setConfiguration(conf)
                    .setNumberTaskManagers(TASK_MANAGERS)
                    .setNumberSlotsPerTaskManager(SLOTS_PER_TASK_MANAGER)
                    .build();
        });
    }

    /** Submits the pageviews job, restored from {@code restorePath} when given. */
    JobID submit(JobConfig config, String restorePath) throws Exception {
        return submit(PageViewsTopology.streamGraph(FlinkSettings.of(config), config), restorePath);
    }

    /** Submits any job, restored from {@code restorePath} when given, and waits until it runs. */
    JobID submit(StreamGraph graph, String restorePath) throws Exception {
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

    /** Waits until every task of the job runs (deployed and restored), not just the job as a whole. */
    void awaitTasksRunning(JobID id) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS).getAllExecutionVertices().iterator().hasNext()
                || !allRunning(id)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("tasks of job " + id + " are not all running after " + TIMEOUT);
            }
            Thread.sleep(100);
        }
    }

    private boolean allRunning(JobID id) throws Exception {
        for (AccessExecutionVertex vertex : cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS).getAllExecutionVertices()) {
            if (vertex.getExecutionState() != ExecutionState.RUNNING) {
                return false;
            }
        }
        return true;
    }

    /** The job's latest failure with its causes and stack trace, as the web UI's exception history shows it; null if none. */
    String latestFailure(JobID id) throws Exception {
        var failure = cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS).getFailureInfo();
        return failure == null ? null : failure.getExceptionAsString();
    }

    /** Waits (up to 90 s) until the job's latest failure mentions {@code text}; returns that failure. */
    String awaitFailureContaining(JobID id, String text) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String failure;
        while ((failure = latestFailure(id)) == null || !failure.contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + id + " did not fail with '" + text + "' within " + TIMEOUT.toSeconds()
                        + " s; its latest failure: " + failure);
            }
            Thread.sleep(250);
        }
        return failure;
    }

    /** The text of the job's newest failure (with its causes), or "" when it has none. */
    String failureText(JobID id) throws Exception {
        org.apache.flink.runtime.executiongraph.ErrorInfo failure = cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS).getFailureInfo();
        return failure == null ? "" : failure.getExceptionAsString();
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
     * The sum over all subtasks of an operator metric ({@code redisCommitsAlreadyApplied}, ...) of the job's current
     * attempt, read as a person would, from the REST API; 0 when no operator has it (yet).
     */
    long metricSum(JobID id, String metric) throws Exception {
        long sum = 0;
        for (JsonNode vertex : get(rest, "/jobs/" + id).path("vertices")) {
            String base = "/jobs/" + id + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
            List<String> names = new ArrayList<>();
            for (JsonNode available : get(rest, base)) {
                String name = available.path("id").asText();
                if (name.endsWith("." + metric)) {
                    names.add(name);
                }
            }
            if (!names.isEmpty()) {
                for (JsonNode value : get(rest, base + "?agg=sum&get=" + URLEncoder.encode(String.join(",", names), StandardCharsets.UTF_8))) {
                    sum += value.path("sum").asLong();
                }
            }
        }
        return sum;
    }

    /** Waits (up to 30 s) until {@link #metricSum} reaches {@code atLeast}; returns the sum then, or the last one read. */
    long awaitMetricSum(JobID id, String metric, long atLeast) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long value;
        while ((value = metricSum(id, metric)) < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        return value;
    }

    /** The job's failures so far, each as its stack trace, newest first, read from the REST API's exception history. */
    List<String> failures(JobID id) throws Exception {
        List<String> failures = new ArrayList<>();
        for (JsonNode entry : get(rest, "/jobs/" + id + "/exceptions").path("exceptionHistory").path("entries")) {
            failures.add(entry.path("stacktrace").asText());
        }
        return failures;
    }

    /** Waits (up to 30 s) until the job has failed at least once; returns its newest failure's stack trace. */
    String awaitFailure(JobID id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<String> failures;
        while ((failures = failures(id)).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + id + " did not fail within 30 s; it is " + status(id));
            }
            Thread.sleep(250);
        }
        return failures.get(0);
    }

    /** The body of a GET on the cluster's REST API (what the web UI shows), e.g. {@code /jobs/<id>/config}. */
    String rest(String path) throws Exception {
        return get(rest, path).toString();
    }

    private static JsonNode get(URI rest, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(rest.resolve(path)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /**
     * Kills the TaskManagers that run tasks of {@code job} and starts as many new ones in their place: their
     * TaskExecutors shut down (in this JVM: not a process kill), the job's tasks on them fail, and the job restarts
     * from its latest checkpoint on the new TaskManagers.
     *
     * <p>It kills every live TaskManager, so surely those with the job's tasks: MiniCluster terminates a TaskManager
     * by its index in start order, and nothing public tells which index has the resource id the tasks run on. The
     * live indices are tracked here, which is sound because only this class starts or terminates TaskManagers of
     * its cluster, and MiniCluster numbers its first ones 0, 1, ..., each later one next, and keeps a terminated
     * one at its index (terminating that index again would kill nothing).
     */
    synchronized void killTaskManager(JobID job) throws Exception {
        awaitTasksRunning(job);
        List<Integer> victims = List.copyOf(liveTaskManagers);
        List<CompletableFuture<Void>> terminated = new ArrayList<>();
        for (int index : victims) {
            terminated.add(cluster.terminateTaskManager(index));
        }
        CompletableFuture.allOf(terminated.toArray(CompletableFuture[]::new)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        liveTaskManagers.clear();
        for (int i = 0; i < victims.size(); i++) {
            cluster.startTaskManager();
            liveTaskManagers.add(nextTaskManager++);
        }
        LOG.info("TaskManagers {} terminated under job {}; TaskManagers {} started", victims, job, liveTaskManagers);
    }

    /**
     * Cancels every job still running: the extension cancels them only after the class's last test, and a test that
     * failed mid-job would otherwise hold slots the next test needs. For an {@code @AfterEach}.
     */
    void cancelJobsLeftRunning() throws Exception {
        for (org.apache.flink.runtime.client.JobStatusMessage job : cluster.listJobs().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            if (!job.getJobState().isGloballyTerminalState()) {
                cancel(job.getJobId());
            }
        }
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
}
