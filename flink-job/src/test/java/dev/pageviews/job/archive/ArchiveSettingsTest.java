package dev.pageviews.job.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.job.JobConfig;
import dev.pageviews.job.FlinkSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArchiveSettingsTest {

    @Test
    void partitionsByTheEventsUtcHour() {
        assertThat(EventTimePartitions.partitionOf(1_730_800_000L)).isEqualTo("dt=2024-11-05/hour=09"); // 09:46:40Z
        assertThat(EventTimePartitions.partitionOf(1_730_851_199L)).isEqualTo("dt=2024-11-05/hour=23"); // 23:59:59Z
        assertThat(EventTimePartitions.partitionOf(1_730_851_200L)).isEqualTo("dt=2024-11-06/hour=00");
    }

    @Test
    void leavesS3ToTheClusterSoCredentialsComeFromItsConfigurationOrTheAwsChain() {
        Map<String, String> conf = FlinkSettings.of(JobConfig.parse(new String[0], Map.of())).toMap();
        assertThat(conf.keySet()).noneMatch(key -> key.startsWith("s3."));
    }

    @Test
    void takesBothFormatsAndTheGzipSwitch() {
        JobConfig config = JobConfig.parse(new String[] {"--archive-format", "json,parquet", "--archive-json-gzip", "true"}, Map.of());
        assertThat(config.archiveFormats()).containsExactly(ArchiveFormat.JSON, ArchiveFormat.PARQUET);
        assertThat(config.archiveJsonGzip()).isTrue();
    }
}
