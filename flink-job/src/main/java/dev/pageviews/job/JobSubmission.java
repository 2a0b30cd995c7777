package dev.pageviews.job;

import dev.pageviews.settings.Setting;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the job in the environment {@code flink run} (or the operator) provides, on top of its configuration, and runs it. */
final class JobSubmission {

    private static final Logger LOG = LoggerFactory.getLogger(JobSubmission.class);

    private JobSubmission() {}

    /** @param args the job's arguments, as given to {@code flink run} after the jar */
    static void run(JobConfig config, String[] args) throws Exception {
        for (Setting<?> setting : secretsInArguments(config, args)) {
            LOG.warn("{} holds a secret and is a program argument, which Flink's client logs (\"Program Arguments\") and "
                    + "an application cluster keeps in its configuration: give it as the environment variable {} instead",
                    setting.flag(), setting.envName());
        }
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

    /** The settings given in {@code args} whose value holds something logs show masked: a password, a token. */
    static List<Setting<?>> secretsInArguments(JobConfig config, String[] args) {
        List<Setting<?>> found = new ArrayList<>();
        for (Setting<?> setting : JobConfig.SCHEMA.settings()) {
            String text = config.text(setting);
            if (setting.shown(text).equals(text)) {
                continue;
            }
            for (String arg : args) {
                if (arg.equals(setting.flag()) || arg.startsWith(setting.flag() + "=")) {
                    found.add(setting);
                    break;
                }
            }
        }
        return found;
    }
}
