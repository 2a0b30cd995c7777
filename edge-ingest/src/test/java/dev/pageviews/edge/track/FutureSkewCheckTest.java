package dev.pageviews.edge.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.event.DecodeResult;
import dev.pageviews.event.PageView;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FutureSkewCheckTest {

    private static final long NOW_MILLIS = 1_796_207_400_123L; // 2026-12-02T10:30:00.123Z
    private final FutureSkewCheck check = new FutureSkewCheck(Duration.ofMinutes(5));

    private static DecodeResult view(long seconds) {
        return new DecodeResult.Valid(PageView.of("u", "/p", seconds));
    }

    @Test
    void acceptsAViewUpToTheBoundAfterTheReceiveTime() {
        long lastAccepted = (NOW_MILLIS + 300_000) / 1000; // its whole second starts within the 5 minutes
        assertThat(check.check(view(lastAccepted), NOW_MILLIS)).isEqualTo(view(lastAccepted));
        assertThat(check.check(view(NOW_MILLIS / 1000), NOW_MILLIS)).isEqualTo(view(NOW_MILLIS / 1000));
    }

    @Test
    void rejectsAViewMoreThanTheBoundAheadNamingTheTimestampTheClockAndTheFix() {
        long firstRejected = (NOW_MILLIS + 300_000) / 1000 + 1;
        assertThat(check.check(view(firstRejected), NOW_MILLIS)).isEqualTo(DecodeResult.invalid("timestamp",
                "timestamp 1796207701 is 2026-12-02T10:35:01Z, more than 5m after this server's clock "
                        + "(2026-12-02T10:30:00.123Z); check the device's clock"));
        assertThat(check.check(view(4_102_444_799L), NOW_MILLIS)).isEqualTo(DecodeResult.invalid("timestamp",
                "timestamp 4102444799 is 2099-12-31T23:59:59Z, more than 5m after this server's clock "
                        + "(2026-12-02T10:30:00.123Z); check the device's clock"));
    }

    @Test
    void veryOldTimestampsAndInvalidEventsPassUnchanged() {
        assertThat(check.check(view(946_684_800L), NOW_MILLIS)).isEqualTo(view(946_684_800L)); // 2000-01-01: counted, late
        DecodeResult invalid = DecodeResult.invalid("user_id", "is required");
        assertThat(check.check(invalid, NOW_MILLIS)).isSameAs(invalid);
    }

    @Test
    void writesTheBoundAsItsFlagIsWritten() {
        assertThat(FutureSkewCheck.shortText(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(FutureSkewCheck.shortText(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(FutureSkewCheck.shortText(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(FutureSkewCheck.shortText(Duration.ofDays(1))).isEqualTo("1d");
        assertThatThrownBy(() -> new FutureSkewCheck(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
