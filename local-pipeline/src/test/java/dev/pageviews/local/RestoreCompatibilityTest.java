package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RestoreCompatibilityTest {

    @Test
    void knowsTheArchiveOperatorsByTheUidsFlinkRecords() {
        // as a Flink 2.2 savepoint names them (writer: the sink's uid; committer: derived from it)
        assertThat(RestoreCompatibility.isArchive("archive-json")).isTrue();
        assertThat(RestoreCompatibility.isArchive("Sink Committer: archive-json")).isTrue();
        assertThat(RestoreCompatibility.isArchive("archive-parquet")).isTrue();
        assertThat(RestoreCompatibility.isArchive("Sink Committer: archive-parquet")).isTrue();
        assertThat(RestoreCompatibility.isArchive("archive-batch-by-hour")).isTrue();

        assertThat(RestoreCompatibility.isArchive("redis-page-views")).isFalse();
        assertThat(RestoreCompatibility.isArchive("Sink Committer: redis-page-views")).isFalse();
        assertThat(RestoreCompatibility.isArchive("count-per-window")).isFalse();
        assertThat(RestoreCompatibility.isArchive("archive-jsonx")).isFalse();
        assertThat(RestoreCompatibility.isArchive("")).isFalse();
    }
}
