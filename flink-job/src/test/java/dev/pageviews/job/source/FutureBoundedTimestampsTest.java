package dev.pageviews.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.event.PageView;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.Test;

class FutureBoundedTimestampsTest {

    private static final long SKEW = 300_000; // --max-future-skew 5m
    private static final long WRITTEN = 1_796_207_400_123L; // the Kafka record's timestamp: 2026-12-02T10:30:00.123Z
    private static final long YEAR_2099 = 4_102_444_799L;

    private long now = WRITTEN + 2_000; // read two seconds after it was written
    private final SimpleCounter clamped = new SimpleCounter();
    private final FutureBoundedTimestamps timestamps = new FutureBoundedTimestamps(SKEW, () -> now, clamped);

    private static RawView view(long seconds) {
        return new RawView(PageView.of("u", "/p", seconds), null, null, 0, 7);
    }

    @Test
    void aViewKeepsItsTimestampUpToItsRecordsTimeWhateverTheClock() {
        now = Long.MAX_VALUE / 2; // replayed much later: the same event time
        assertThat(timestamps.extractTimestamp(view(WRITTEN / 1000), WRITTEN)).isEqualTo(WRITTEN / 1000 * 1000);
        assertThat(timestamps.extractTimestamp(view(WRITTEN / 1000 - 30), WRITTEN)).isEqualTo((WRITTEN / 1000 - 30) * 1000);
        assertThat(clamped.getCount()).isZero();
    }

    @Test
    void aViewAheadOfItsRecordWithinTheSkewIsCountedAtTheRecordsTimeWithoutAlarm() {
        // a device clock a minute ahead: its window would otherwise wait a minute to close
        assertThat(timestamps.extractTimestamp(view(WRITTEN / 1000 + 60), WRITTEN)).isEqualTo(WRITTEN);
        assertThat(timestamps.extractTimestamp(view((WRITTEN + SKEW) / 1000), WRITTEN)).isEqualTo(WRITTEN);
        assertThat(clamped.getCount()).isZero();
    }

    @Test
    void aViewFurtherAheadIsCountedAtItsRecordsTimeAndInTheMetric() {
        assertThat(timestamps.extractTimestamp(view((WRITTEN + SKEW) / 1000 + 1), WRITTEN)).isEqualTo(WRITTEN);
        assertThat(timestamps.extractTimestamp(view(WRITTEN / 1000 + 86_400), WRITTEN)).isEqualTo(WRITTEN); // a day ahead
        assertThat(timestamps.extractTimestamp(view(YEAR_2099), WRITTEN)).isEqualTo(WRITTEN);
        assertThat(clamped.getCount()).isEqualTo(3);
    }

    @Test
    void veryOldViewsKeepTheirTimestamp() {
        assertThat(timestamps.extractTimestamp(view(946_684_800L), WRITTEN)).isEqualTo(946_684_800_000L);
        assertThat(clamped.getCount()).isZero();
    }

    @Test
    void whenTheRecordsOwnTimeIsAheadOfTheClockTheClockBoundsTheView() {
        long producerClockADayAhead = WRITTEN + 86_400_000;
        assertThat(timestamps.extractTimestamp(view(producerClockADayAhead / 1000), producerClockADayAhead)).isEqualTo(now);
        assertThat(timestamps.extractTimestamp(view(YEAR_2099), producerClockADayAhead)).isEqualTo(now);
        long producerClockAMinuteAhead = WRITTEN + 60_000; // within the skew: still trusted
        assertThat(timestamps.extractTimestamp(view(YEAR_2099), producerClockAMinuteAhead)).isEqualTo(producerClockAMinuteAhead);
        assertThat(clamped.getCount()).isEqualTo(3);
    }

    @Test
    void aRecordWithoutATimestampIsBoundedByTheClock() {
        assertThat(timestamps.extractTimestamp(view(WRITTEN / 1000), -1)).isEqualTo(WRITTEN / 1000 * 1000);
        assertThat(timestamps.extractTimestamp(view(YEAR_2099), -1)).isEqualTo(now);
        assertThat(clamped.getCount()).isEqualTo(1);
    }

    @Test
    void deadLettersKeepTheRecordsTimestamp() {
        RawView deadLetter = new RawView(null, new byte[] {'x'}, "body: is not valid JSON", 0, 8);
        assertThat(timestamps.extractTimestamp(deadLetter, WRITTEN)).isEqualTo(WRITTEN);
        assertThat(clamped.getCount()).isZero();
    }
}
