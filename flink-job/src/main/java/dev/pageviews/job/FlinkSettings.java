package dev.pageviews.job;

import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;

/**
 * The Flink settings of the job: its own (name, object reuse, watermark interval), and checkpointing, the state
 * backend and restarts where the cluster's configuration leaves them open.
 */
public final class FlinkSettings {

    private FlinkSettings() {}

    /**
     * Refuses to start without a checkpoint directory: a cluster's {@code execution.checkpointing.dir} or
     * {@code --checkpoint-dir}. A default such as a temp dir would sit on one machine's disk and be lost with it.
     */
    static void requireCheckpointDirectory(JobConfig config, ReadableConfig cluster) {
        if (config.checkpointDir().isEmpty() && cluster.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY).isEmpty()) {
            throw new IllegalArgumentException("no checkpoint directory: set " + CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()
                    + " in the cluster's configuration (config.yaml, a FlinkDeployment's flinkConfiguration, or -D"
                    + CheckpointingOptions.CHECKPOINTS_DIRECTORY.key() + "=s3://... on flink run), or pass --"
                    + JobConfig.CHECKPOINT_DIR + "; it must be storage every JobManager and TaskManager reaches");
        }
    }

    /** The Flink settings of a local run, where no cluster configuration sets anything: see {@link #of(JobConfig, ReadableConfig)}. */
    public static Configuration of(JobConfig config) {
        return of(config, new Configuration());
    }

    /**
     * The Flink settings the job needs, on top of {@code cluster}'s. The job's own settings (name, object reuse,
     * watermark interval) always; checkpointing (exactly-once checkpoints that outlive a cancel), the state backend
     * and restarts with backoff only where the cluster sets none: those belong to whoever runs the cluster, and a
     * flag of the job is then a default, never an override.
     */
    public static Configuration of(JobConfig config, ReadableConfig cluster) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.NAME, PageViewsJob.JOB_NAME);
        conf.set(PipelineOptions.OBJECT_REUSE, true); // no operator keeps or mutates a record it was handed
        conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, config.watermarkInterval());
        conf.set(PipelineOptions.GLOBAL_JOB_PARAMETERS, config.shown()); // the settings, in the web UI's job configuration

        ClusterDefaults defaults = new ClusterDefaults(cluster, conf);
        Duration interval = defaults.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.checkpointInterval());
        CheckpointingMode mode = defaults.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        if (mode != CheckpointingMode.EXACTLY_ONCE && config.delivery() == JobConfig.Delivery.EXACTLY_ONCE) {
            throw new IllegalArgumentException("the cluster sets " + CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE.key()
                    + ": " + mode + ", but counts are exact only with EXACTLY_ONCE checkpoints: remove that setting or set it "
                    + "to EXACTLY_ONCE (or run the job with --delivery at-least-once)");
        }
        defaults.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, interval.dividedBy(4));
        defaults.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, Duration.ofMinutes(5));
        if (!config.checkpointDir().isEmpty()) {
            defaults.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpointDir());
        }
        defaults.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (!config.savepointDir().isEmpty()) {
            defaults.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, config.savepointDir());
        }
        String backend = defaults.set(StateBackendOptions.STATE_BACKEND,
                config.stateBackend() == JobConfig.StateBackend.ROCKSDB ? "rocksdb" : "hashmap");
        if (backend.equalsIgnoreCase("rocksdb")) {
            defaults.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        }
        if (cluster.getOptional(RestartStrategyOptions.RESTART_STRATEGY).isEmpty()) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofSeconds(30));
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD, Duration.ofMinutes(10));
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.1);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, Integer.MAX_VALUE);
        }
        defaults.logKept();
        return conf;
    }
}
