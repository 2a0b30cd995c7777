package dev.pageviews.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.settings.FlinkSyntax;
import java.time.Duration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The edge reads durations and sizes with {@link FlinkSyntax} (it has no Flink); the job with Flink's own
 * parsers. Both must take the same texts to the same values and refuse the same texts, so a setting means the
 * same thing in both.
 */
class FlinkSyntaxConformanceTest {

    @ParameterizedTest
    @ValueSource(strings = {"0", "250", "500ms", "2s", "30 s", "5m", "10min", "1h", "7d", "3 days", "2 hours", "1 minute",
        "15 minutes", "10 sec", "10 secs", "4 seconds", "7 milli", "7 millis", "3 millisecond", "9 milliseconds", "5µs",
        "5 micro", "5 micros", "5 microsecond", "5 microseconds", "12ns", "12 nano", "12 nanos", "12 nanosecond",
        "12 nanoseconds", "1 day", "1 hour", "  42s  ", "10MIN", "2H", "1D", "3650d", "99999999999999999999"})
    void durationsFlinkTakesMeanTheSame(String text) {
        assertThat(FlinkSyntax.duration(text)).isEqualTo(TimeUtils.parseDuration(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "s", "1.5s", "-1s", "1 fortnight", "1y", "1w", "ten s", "1s2", "99999999999999999d"})
    void durationsFlinkRefusesAreRefused(String text) {
        assertThatThrownBy(() -> TimeUtils.parseDuration(text)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FlinkSyntax.duration(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1024", "1b", "5 bytes", "64k", "64kb", "64 kibibytes", "1m", "1mb", "1 mebibytes", "2g",
        "2gb", "2 gibibytes", "1t", "1tb", "1 tebibytes", " 8 KB ", "128MB"})
    void sizesFlinkTakesMeanTheSame(String text) {
        assertThat(FlinkSyntax.bytes(text)).isEqualTo(MemorySize.parse(text).getBytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "mb", "1.5mb", "-1mb", "1 parsec", "1 kib", "99999999999999999999", "9000000t"})
    void sizesFlinkRefusesAreRefused(String text) {
        assertThatThrownBy(() -> MemorySize.parse(text)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FlinkSyntax.bytes(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 999, 1000, 1500, 60_000, 90_000, 3_600_000, 86_400_000, 7 * 86_400_000L})
    void formattedDurationsParseBack(long millis) {
        Duration duration = Duration.ofMillis(millis);
        assertThat(TimeUtils.parseDuration(FlinkSyntax.formatDuration(duration))).isEqualTo(duration);
    }
}
