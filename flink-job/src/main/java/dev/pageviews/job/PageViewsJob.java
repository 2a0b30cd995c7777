package dev.pageviews.job;

import dev.pageviews.job.archive.S3Settings;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point for {@code flink run} and the Kubernetes operator: reads the settings ({@link JobConfig}),
 * configures checkpointing, state and restarts, and runs {@link PageViewsTopology}.
 */
public final class PageViewsJob {

    private static final Logger LOG = LoggerFactory.getLogger(PageViewsJob.class);
    public static final String JOB_NAME = "pageviews";

    private PageViewsJob() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.print(JobConfig.help()); // the one place the job prints: a person asked for help
            return;
        }
        JobConfig config = JobConfig.parse(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(config));
        define(env, config);
        LOG.info("Submitting {} with {}", JOB_NAME, config);
        env.execute(JOB_NAME);
    }

    /** Adds the whole job to {@code env}, with the parallelism the settings ask for. */
    public static void define(StreamExecutionEnvironment env, JobConfig config) {
        if (config.parallelism() > 0) {
            env.setParallelism(config.parallelism());
        }
        PageViewsTopology.build(env, config);
    }

    /** The Flink settings the job needs: exactly-once checkpoints that outlive a cancel, and restarts with backoff. */
    public static Configuration flinkConfiguration(JobConfig config) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.NAME, JOB_NAME);
        conf.set(PipelineOptions.OBJECT_REUSE, true); // no operator keeps or mutates a record it was handed
        conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, config.watermarkInterval());
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.checkpointInterval());
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        conf.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, config.checkpointInterval().dividedBy(4));
        conf.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, Duration.ofMinutes(5));
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpointDir());
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (!config.savepointDir().isEmpty()) {
            conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, config.savepointDir());
        }
        conf.set(StateBackendOptions.STATE_BACKEND, config.stateBackend() == JobConfig.StateBackend.ROCKSDB ? "rocksdb" : "hashmap");
        if (config.stateBackend() == JobConfig.StateBackend.ROCKSDB) {
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        }
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofSeconds(30));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD, Duration.ofMinutes(10));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.1);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, Integer.MAX_VALUE);
        S3Settings.addTo(conf, config); // read by local clusters' file systems; a real cluster has its own
        return conf;
    }
}
