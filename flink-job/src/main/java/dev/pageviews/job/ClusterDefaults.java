package dev.pageviews.job;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets a Flink option to the job's value only where the cluster's configuration has none: checkpointing, the state
 * backend and restarts belong to whoever runs the cluster (a FlinkDeployment's flinkConfiguration, config.yaml,
 * {@code -D} on {@code flink run}), so the job's values are defaults, never overrides.
 */
final class ClusterDefaults {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterDefaults.class);

    private final ReadableConfig cluster;
    private final Configuration target;
    private final List<String> kept = new ArrayList<>();

    ClusterDefaults(ReadableConfig cluster, Configuration target) {
        this.cluster = cluster;
        this.target = target;
    }

    /** Sets {@code option} to {@code jobValue} unless the cluster sets it; returns the value that applies. */
    <T> T set(ConfigOption<T> option, T jobValue) {
        T clusterValue = cluster.getOptional(option).orElse(null);
        if (clusterValue != null) {
            if (!clusterValue.equals(jobValue)) {
                kept.add(option.key() + "=" + clusterValue + " (the job's default: " + jobValue + ")");
            }
            return clusterValue;
        }
        target.set(option, jobValue);
        return jobValue;
    }

    /** Logs the cluster's settings that differ from what the job would have set. */
    void logKept() {
        if (!kept.isEmpty()) {
            LOG.info("The cluster's configuration sets {}; the job keeps those", String.join(", ", kept));
        }
    }
}
