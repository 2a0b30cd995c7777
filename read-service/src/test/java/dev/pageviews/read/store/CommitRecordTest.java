package dev.pageviews.read.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The commit record as the job's script writes it, including the numbers Redis formats from Lua. */
class CommitRecordTest {

    private static final String KEY = "{page_views}:meta";

    @Test
    void theFieldsTheJobWrites() {
        CommitRecord commit = CommitRecord.of(KEY, Map.of("seq", "42", "watermark", "1796638500500", "committed_at",
                "1796638503000", "time_zone", "Europe/Berlin", "minute_retention", "172800", "hour_retention", "7776000",
                "day_retention", "63072000", "visitor_estimate_retention", "7776000"));
        assertThat(commit.seq()).isEqualTo(42);
        assertThat(commit.watermarkMillis()).hasValue(1_796_638_500_500L);
        assertThat(commit.committedAtMillis()).hasValue(1_796_638_503_000L);
        assertThat(commit.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(commit.retention().minute()).isEqualTo(Duration.ofDays(2));
        assertThat(commit.finalUntil(1_796_638_500L)).isTrue();
        assertThat(commit.finalUntil(1_796_638_501L)).isFalse();
        assertThat(CommitRecord.of(KEY, Map.of("seq", "1", "watermark", "-1")).watermarkMillis()).isEmpty();
    }

    @Test
    void flinksEndOfInputWatermarkAsRedisFormatsItIsNoEventTime() {
        // a stop with drain emits Long.MAX_VALUE; the script's math.max keeps it, Redis writes the Lua number so
        CommitRecord commit = CommitRecord.of(KEY, Map.of("seq", "7", "watermark", "9.2233720368547758e+18",
                "committed_at", "1.796638503e+12"));
        assertThat(commit.seq()).isEqualTo(7);
        assertThat(commit.watermarkMillis()).as("unknown: no bucket is said to be final").isEqualTo(OptionalLong.empty());
        assertThat(commit.finalUntil(0)).isFalse();
        assertThat(commit.committedAtMillis()).hasValue(1_796_638_503_000L);
    }

    @Test
    void whatTheJobNeverWritesIsNamed() {
        assertThatThrownBy(() -> CommitRecord.of(KEY, Map.of("seq", "1.5")))
                .isInstanceOf(StoreException.class).hasMessage("field seq of {page_views}:meta holds '1.5', not a whole number");
        assertThatThrownBy(() -> CommitRecord.of(KEY, Map.of("seq", "1", "watermark", "soon")))
                .hasMessageContaining("field watermark of {page_views}:meta holds 'soon'");
        assertThatThrownBy(() -> CommitRecord.of(KEY, Map.of("seq", "1", "time_zone", "Mars/Olympus")))
                .hasMessageContaining("field time_zone");
    }
}
