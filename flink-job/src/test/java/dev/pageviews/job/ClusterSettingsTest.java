package dev.pageviews.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** Checkpointing, state backend and restarts belong to the cluster: the job's values apply only where it sets none. */
class ClusterSettingsTest {

    private static final JobConfig FLAGS = JobConfig.parse(new String[] {"--checkpoint-dir", "file:///data/checkpoints"}, Map.of());

    @Test
    void withoutClusterSettingsTheJobsOwnApply() {
        Map<String, String> conf = FlinkSettings.of(FLAGS, new Configuration()).toMap();
        assertThat(conf).containsEntry("execution.checkpointing.interval", "2 s")
                .containsEntry("execution.checkpointing.dir", "file:///data/checkpoints")
                .containsEntry("execution.checkpointing.mode", "EXACTLY_ONCE")
                .containsEntry("state.backend.type", "hashmap")
                .containsEntry("restart-strategy.type", "exponential-delay");
    }

    @Test
    void whatTheClusterSetsIsNeverOverridden() {
        Configuration cluster = Configuration.fromMap(Map.of(
                "execution.checkpointing.interval", "3s",
                "execution.checkpointing.dir", "s3://cluster/checkpoints",
                "state.backend.type", "rocksdb",
                "restart-strategy.type", "fixed-delay"));
        Map<String, String> conf = FlinkSettings.of(FLAGS, cluster).toMap();
        assertThat(conf).doesNotContainKeys("execution.checkpointing.interval", "execution.checkpointing.dir",
                "state.backend.type", "restart-strategy.type", "restart-strategy.exponential-delay.initial-backoff");
        assertThat(conf).as("derived from the cluster's values")
                .containsEntry("execution.checkpointing.min-pause", "750 ms")
                .containsEntry("execution.checkpointing.incremental", "true");
        assertThat(conf).containsEntry("pipeline.object-reuse", "true"); // the job's own settings still apply
    }

    @Test
    void refusesAtLeastOnceCheckpointsFromTheClusterWhenCountingExactlyOnce() {
        Configuration cluster = Configuration.fromMap(Map.of("execution.checkpointing.mode", "AT_LEAST_ONCE"));
        assertThatThrownBy(() -> FlinkSettings.of(FLAGS, cluster))
                .hasMessageContaining("execution.checkpointing.mode: AT_LEAST_ONCE");
        JobConfig atLeastOnce = FLAGS.with(JobConfig.DELIVERY, JobConfig.Delivery.AT_LEAST_ONCE);
        assertThatCode(() -> FlinkSettings.of(atLeastOnce, cluster)).doesNotThrowAnyException();
    }

    @Test
    void doesNotStartWithoutACheckpointDirectoryAndSaysWhereToSetOne() {
        JobConfig noDir = JobConfig.parse(new String[0], Map.of());
        assertThatThrownBy(() -> FlinkSettings.requireCheckpointDirectory(noDir, new Configuration()))
                .hasMessageStartingWith("no checkpoint directory: set execution.checkpointing.dir in the cluster's configuration")
                .hasMessageContaining("--checkpoint-dir");
        assertThatCode(() -> FlinkSettings.requireCheckpointDirectory(FLAGS, new Configuration())).doesNotThrowAnyException();
        assertThatCode(() -> FlinkSettings.requireCheckpointDirectory(noDir,
                Configuration.fromMap(Map.of("execution.checkpointing.dir", "s3://cluster/checkpoints")))).doesNotThrowAnyException();
    }
}
