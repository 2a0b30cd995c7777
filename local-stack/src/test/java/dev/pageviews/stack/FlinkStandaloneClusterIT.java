package dev.pageviews.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlinkStandaloneClusterIT {

    @Test
    void startsAJobManagerAndATaskManagerAnswersFlinksClientAndStopsBoth() throws Exception {
        Path dir = LocalStackExtension.newWorkDir();
        long jobManagerPid;
        long taskManagerPid;
        try (FlinkStandaloneCluster flink = FlinkStandaloneCluster.start(dir, 3,
                Map.of("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString()))) {
            assertThat(flink.rest("/overview")).contains("\"taskmanagers\":1", "\"slots-total\":3");
            assertThat(flink.rest("/jobmanager/config")).contains("execution.checkpointing.dir");
            assertThat(dir.resolve("plugins/s3-fs-hadoop")).isDirectoryContaining("glob:**flink-s3-fs-hadoop-*.jar");

            FlinkStandaloneCluster.CliResult list = flink.flink("list", "--all");
            assertThat(list.exitCode()).as(list.output()).isZero();
            assertThat(list.output()).contains("No running jobs");

            jobManagerPid = Long.parseLong(Files.readString(dir.resolve("flink-jobmanager.pid")).trim());
            taskManagerPid = Long.parseLong(Files.readString(dir.resolve("flink-taskmanager.pid")).trim());
        }
        assertThat(ProcessHandle.of(jobManagerPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(ProcessHandle.of(taskManagerPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }
}
