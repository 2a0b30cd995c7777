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
    void putsTheS3FlagsIntoTheFlinkConfigurationOfLocalClusters() {
        JobConfig config = JobConfig.parse(new String[] {"--s3-endpoint", "http://127.0.0.1:9000", "--s3-path-style", "true",
            "--s3-access-key", "AKIA-LOCAL"}, Map.of("PAGEVIEWS_S3_SECRET_KEY", "very-secret"));
        assertThat(FlinkSettings.of(config).toMap()).containsAllEntriesOf(Map.of(
                "s3.endpoint", "http://127.0.0.1:9000",
                "s3.path.style.access", "true",
                "s3.access-key", "AKIA-LOCAL",
                "s3.secret-key", "very-secret",
                "s3.directory.marker.retention", "keep"));
        assertThat(config.toString()).contains("s3-secret-key=***").doesNotContain("very-secret");
    }

    @Test
    void leavesCredentialsToTheAwsChainWhenNoKeysAreGiven() {
        Map<String, String> conf = FlinkSettings.of(JobConfig.parse(new String[0], Map.of())).toMap();
        assertThat(conf).doesNotContainKeys("s3.endpoint", "s3.path.style.access", "s3.access-key", "s3.secret-key");
    }

    @Test
    void takesBothFormatsAndTheGzipSwitch() {
        JobConfig config = JobConfig.parse(new String[] {"--archive-format", "json,parquet", "--archive-json-gzip", "true"}, Map.of());
        assertThat(config.archiveFormats()).containsExactly(JobConfig.ArchiveFormat.JSON, JobConfig.ArchiveFormat.PARQUET);
        assertThat(config.archiveJsonGzip()).isTrue();
    }
}
