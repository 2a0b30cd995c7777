package dev.pageviews.job;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the job in the environment {@code flink run} (or the operator) provides, on top of its configuration, and runs it. */
final class JobSubmission {

    private static final Logger LOG = LoggerFactory.getLogger(JobSubmission.class);

    private JobSubmission() {}

    static void run(JobConfig config) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        define(env, config);
        env.execute(PageViewsJob.JOB_NAME);
    }

    /** The job in {@code env}, on top of its configuration, with the line that says what is submitted (secrets masked). */
    static void define(StreamExecutionEnvironment env, JobConfig config) {
        ReadableConfig cluster = env.getConfiguration(); // config.yaml, a FlinkDeployment's flinkConfiguration, -D
        FlinkSettings.requireCheckpointDirectory(config, cluster);
        env.configure(FlinkSettings.of(config, cluster));
        PageViewsTopology.define(env, config);
        LOG.info("Submitting {} with {}", PageViewsJob.JOB_NAME, config);
    }
}
