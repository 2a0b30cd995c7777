package dev.pageviews.chaos;

import dev.pageviews.job.JobConfig;
import dev.pageviews.job.FlinkSettings;
import dev.pageviews.job.PageViewsTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pageviews job in a Flink MiniCluster in this JVM with two TaskManagers of one slot each, so a job of
 * parallelism 2 has tasks on both. A TaskManager "kill" is {@link MiniCluster#terminateTaskManager}: its tasks
 * fail as if its process had died (the job restarts from the last checkpoint), then a fresh TaskManager joins.
 */
final class JobCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JobCluster.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** The job's own cap is 30 s; a short run would spend most of its time waiting after a few faults. */
    static final Duration MAX_RESTART_BACKOFF = Duration.ofSeconds(4);

    private final MiniCluster cluster;
    private final List<Integer> liveTaskManagers = new ArrayList<>(List.of(0, 1));
    private int nextTaskManager = 2;
    private JobID job;

    private JobCluster(MiniCluster cluster) {
        this.cluster = cluster;
    }

    static JobCluster start() throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(64));
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(2)
                .setNumSlotsPerTaskManager(1)
                .build());
        cluster.start();
        return new JobCluster(cluster);
    }

    /** Submits the job as {@code ./pageviews up} defines it and waits until it runs. */
    void submit(JobConfig config) throws Exception {
        Configuration conf = FlinkSettings.of(config);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, MAX_RESTART_BACKOFF);
        job = cluster.submitJob(PageViewsTopology.streamGraph(conf, config)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                .getJobID();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        JobStatus status;
        while ((status = status()) != JobStatus.RUNNING) {
            if (status.isGloballyTerminalState() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the pageviews job is " + status + " instead of RUNNING after submission;"
                        + " see the log for the cause");
            }
            Thread.sleep(100);
        }
    }

    JobStatus status() throws Exception {
        return cluster.getJobStatus(job).get(10, TimeUnit.SECONDS);
    }

    /** Terminates one of the live TaskManagers, picked by {@code random}, and starts a new one in its place. */
    int killTaskManager(Random random) throws Exception {
        int index = liveTaskManagers.remove(random.nextInt(liveTaskManagers.size()));
        cluster.terminateTaskManager(index).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        cluster.startTaskManager();
        liveTaskManagers.add(nextTaskManager++);
        LOG.info("TaskManager {} terminated; TaskManager {} started", index, nextTaskManager - 1);
        return index;
    }

    @Override
    public void close() {
        try {
            if (job != null && !status().isGloballyTerminalState()) {
                cluster.cancelJob(job).get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            LOG.warn("Cancelling the job failed ({}); closing the cluster anyway", e.toString());
        }
        try {
            cluster.close();
        } catch (Exception e) {
            LOG.warn("Closing the Flink MiniCluster failed", e);
        }
    }
}
