package dev.pageviews.local;

import dev.pageviews.edge.http.Readiness;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.clusterframework.ApplicationStatus;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.executiongraph.ErrorInfo;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.util.SerializedThrowable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job in a local Flink cluster (one TaskManager, web UI on the REST port), watched: {@link #awaitRestored}
 * waits until every task runs, which is when its state was restored; {@link #notReadyReason()} tells the edge
 * whether the job runs right now; {@link #unexpectedEnd()} completes if the job ends without being asked to.
 */
final class LocalJob implements Readiness, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalJob.class);
    private static final Duration POLL = Duration.ofMillis(250);

    /** Told of each checkpoint or savepoint the job completes, as the job's checkpoint statistics show them. */
    interface Completions {
        void completed(long checkpointId, String externalPath);
    }

    private final MiniCluster cluster;
    private final JobID id;
    private final Completions completions;
    private long lastCompleted = -1; // the watcher thread's
    private final ScheduledExecutorService watcher;
    private final CompletableFuture<String> unexpectedEnd = new CompletableFuture<>();
    private volatile String notReadyReason = "the Flink job has not started yet";
    private volatile boolean stopping;

    private LocalJob(MiniCluster cluster, JobID id, Completions completions) {
        this.cluster = cluster;
        this.id = id;
        this.completions = completions;
        this.watcher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "job-watch");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts a cluster with one slot per parallel task and submits {@code job} to it; {@code completions} hears of
     * its completed checkpoints within a poll (250 ms).
     */
    static LocalJob submit(Configuration flink, JobGraph job, Completions completions) throws Exception {
        Configuration conf = new Configuration(flink);
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, job.getMaximumParallelism());
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(job.getMaximumParallelism())
                .build());
        try {
            cluster.start();
            cluster.submitJob(job).get(2, TimeUnit.MINUTES);
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        LocalJob local = new LocalJob(cluster, job.getJobID(), completions);
        local.watch();
        return local;
    }

    private void watch() {
        cluster.requestJobResult(id).whenComplete((result, error) -> {
            notReadyReason = "the Flink job is no longer running";
            if (!stopping) {
                unexpectedEnd.complete(error != null ? "the Flink job could not be watched: " + error : describe(result));
            }
        });
        watcher.scheduleWithFixedDelay(this::poll, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void poll() {
        AccessExecutionGraph graph;
        try {
            graph = cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS);
            notReadyReason = notRunning(graph);
        } catch (Exception e) {
            notReadyReason = "the Flink job's state is unknown (" + e + ")";
            return;
        }
        try {
            reportCompleted(graph.getCheckpointStatsSnapshot());
        } catch (RuntimeException e) { // an exception would end the polling, and with it the edge's readiness
            LOG.warn("Could not take note of the job's latest completed checkpoint ({})", e.toString());
        }
    }

    private void reportCompleted(CheckpointStatsSnapshot stats) {
        CompletedCheckpointStats latest = stats == null || stats.getHistory() == null ? null
                : stats.getHistory().getLatestCompletedCheckpoint();
        if (latest != null && latest.getCheckpointId() > lastCompleted && latest.getExternalPath() != null) {
            lastCompleted = latest.getCheckpointId();
            completions.completed(latest.getCheckpointId(), latest.getExternalPath());
        }
    }

    /** Null when the job and all its tasks run (state restored), else what it is doing instead. */
    private static String notRunning(AccessExecutionGraph graph) {
        if (graph.getState() != JobStatus.RUNNING) {
            return "the Flink job is " + graph.getState();
        }
        for (AccessExecutionVertex task : graph.getAllExecutionVertices()) {
            ExecutionState state = task.getExecutionState();
            if (state != ExecutionState.RUNNING && state != ExecutionState.FINISHED) {
                return "the Flink job is starting (task " + task.getTaskNameWithSubtaskIndex() + " is " + state + ")";
            }
        }
        return null;
    }

    /** Where the Flink web UI and REST API listen: the port bound, also when {@code --ui-port 0} asked for any. */
    URI restAddress() throws Exception {
        return cluster.getRestAddress().get(10, TimeUnit.SECONDS);
    }

    @Override
    public String notReadyReason() {
        return notReadyReason;
    }

    /**
     * Waits until every task runs. Throws {@link IllegalStateException} with Flink's reason if the job fails or
     * restarts first (a task could not restore its state; restarting would fail the same way, forever), or
     * after {@code timeout}.
     */
    void awaitRestored(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            AccessExecutionGraph graph = cluster.getExecutionGraph(id).get(30, TimeUnit.SECONDS);
            if (graph.getState().isGloballyTerminalState()) {
                throw new IllegalStateException("the Flink job " + graph.getState() + " while starting: " + rootCause(graph.getFailureInfo()));
            }
            if (graph.getFailureInfo() != null || restarted(graph)) {
                throw new IllegalStateException("a task of the Flink job failed while starting: " + rootCause(graph.getFailureInfo()));
            }
            String reason = notRunning(graph);
            if (reason == null) {
                notReadyReason = null;
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Flink job did not run within " + timeout.toSeconds() + " s (" + reason + ")");
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private static boolean restarted(AccessExecutionGraph graph) {
        for (AccessExecutionVertex task : graph.getAllExecutionVertices()) {
            if (task.getCurrentExecutionAttempt().getAttemptNumber() > 0) {
                return true;
            }
        }
        return false;
    }

    /** Completes with a message when the job ends (fails, is cancelled, finishes) while nobody stops it. */
    CompletableFuture<String> unexpectedEnd() {
        return unexpectedEnd;
    }

    boolean isRunning() {
        try {
            return !cluster.getJobStatus(id).get(10, TimeUnit.SECONDS).isGloballyTerminalState();
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Stops with a savepoint in {@code dir}. With {@code drain}, event time first advances to its end: every open
     * window fires and every in-progress archive part file is finished before the savepoint (Flink's
     * {@code flink stop --drain}).
     */
    String stopWithSavepoint(String dir, boolean drain, Duration timeout) throws Exception {
        stopping = true;
        return cluster.stopWithSavepoint(id, dir, drain, SavepointFormatType.CANONICAL).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void cancel(Duration timeout) throws Exception {
        stopping = true;
        cluster.cancelJob(id).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    JobID id() {
        return id;
    }

    @Override
    public void close() {
        stopping = true;
        watcher.shutdownNow();
        try {
            cluster.close();
        } catch (Exception e) {
            LOG.warn("Stopping the local Flink cluster failed", e);
        }
    }

    private static String describe(JobResult result) {
        String cause = result.getSerializedThrowable().map(LocalJob::rootCause)
                .orElse(result.getApplicationStatus() == ApplicationStatus.CANCELED
                        ? "it was cancelled (the web UI's Cancel Job, or Flink's REST API)" : "no cause reported");
        return "the Flink job ended unexpectedly (" + result.getApplicationStatus() + "): " + cause;
    }

    private static String rootCause(ErrorInfo error) {
        return error == null ? "no cause reported" : rootCause(error.getException());
    }

    /** The innermost cause: for a failed restore, Flink's sentence about the state. */
    static String rootCause(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root instanceof SerializedThrowable serialized ? serialized.getOriginalErrorClassName() + ": " + root.getMessage()
                : root.toString();
        return root == error ? text : text + " (in " + error.getMessage() + ")";
    }
}
