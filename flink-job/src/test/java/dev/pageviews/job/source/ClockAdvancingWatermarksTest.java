package dev.pageviews.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.event.PageView;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class ClockAdvancingWatermarksTest {

    private static final long T = 1_730_814_562L; // an event's timestamp, in seconds
    private static final long SKEW = 300_000; // --max-future-skew 5m

    private long now = T * 1000;
    private final Output output = new Output();

    private ClockAdvancingWatermarks generator(long outOfOrderness, long idleTimeout) {
        return new ClockAdvancingWatermarks(outOfOrderness, idleTimeout, SKEW, () -> now);
    }

    @Test
    void aPartitionWithoutEventsIsIdleUntilTheIdleTimeoutThenFollowsTheClock() {
        ClockAdvancingWatermarks watermarks = generator(2000, 1000);
        watermarks.onPeriodicEmit(output);
        assertThat(output.idle).isTrue();
        now += 999;
        watermarks.onPeriodicEmit(output);
        assertThat(output.idle).isTrue();
        assertThat(output.emitted).isEmpty();
        now += 1; // quiet for the idle timeout since the (re)start: event time may move, or restored windows never close
        watermarks.onPeriodicEmit(output);
        assertThat(output.idle).isFalse();
        assertThat(output.last()).isEqualTo(T * 1000 + 1000 - 2001);
    }

    @Test
    void trailsTheNewestEventByTheOutOfOrdernessWhileEventsFlow() {
        ClockAdvancingWatermarks watermarks = generator(2000, 1000);
        event(watermarks, T);
        now += 400;
        event(watermarks, T - 3); // out of order: never moves the watermark back
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).isEqualTo(T * 1000 - 2001);
    }

    @Test
    void whenQuietFollowsTheClockUpToTheStartOfItsSecond() {
        ClockAdvancingWatermarks watermarks = generator(0, 500);
        now = T * 1000 + 900; // the last event of second T arrives late in that second
        event(watermarks, T);
        now += 499;
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).as("not quiet yet").isEqualTo(T * 1000 - 1);
        now += 1;
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).as("quiet for the idle timeout: second T is over").isEqualTo(T * 1000 + 999);
        now += 2000;
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).isEqualTo(T * 1000 + 2999);
    }

    @Test
    void keepsTheOutOfOrdernessWhenQuiet() {
        ClockAdvancingWatermarks watermarks = generator(2000, 1000);
        event(watermarks, T);
        now += 1000;
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).isEqualTo(T * 1000 + 999 - 2000);
    }

    @Test
    void neverGoesBackWhenEventsResumeBehindTheClock() {
        ClockAdvancingWatermarks watermarks = generator(0, 1000);
        event(watermarks, T);
        now += 5000;
        watermarks.onPeriodicEmit(output);
        long quiet = output.last();
        event(watermarks, T + 1); // a late producer: behind the watermark, counted downstream as late
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).isEqualTo(quiet).isEqualTo(T * 1000 + 999 + 4000);
    }

    @Test
    void deadLettersDoNotCountAsTraffic() {
        ClockAdvancingWatermarks watermarks = generator(0, 1000);
        event(watermarks, T);
        now += 2500;
        watermarks.onEvent(new RawView(null, new byte[] {'x'}, "not JSON", 0, 1), now, output);
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).as("quiet: caught up with the clock, not at T - 1").isEqualTo(T * 1000 + 1999);
    }

    @Test
    void afterABacklogCatchesUpWithTheClockOnceQuiet() {
        ClockAdvancingWatermarks watermarks = generator(2000, 1000);
        long backlog = T - 1800; // views stamped 30 minutes ago, read as fast as Kafka serves them
        for (int i = 0; i < 1000; i++) {
            event(watermarks, backlog + i / 100);
            now += 1;
        }
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).as("while the backlog flows").isEqualTo((backlog + 9) * 1000 - 2001);

        now += 1000; // quiet for the idle timeout
        watermarks.onPeriodicEmit(output);
        long startOfSecond = now - now % 1000;
        assertThat(output.last()).as("the clock minus the out-of-orderness, not 30 minutes behind it")
                .isEqualTo(startOfSecond - 2001)
                .isLessThanOrEqualTo(now - 2000);
        long liveView = now / 1000; // stamped this second
        assertThat(liveView * 1000).as("a live view is on time").isGreaterThan(output.last());
    }

    @Test
    void theCatchUpNeverPassesTheClockMinusTheOutOfOrderness() {
        ClockAdvancingWatermarks watermarks = generator(2000, 1000);
        event(watermarks, T + 1); // stamped by a clock a second ahead of ours (within the skew)
        now += 1000; // quiet from here on
        for (int step = 0; step < 40; step++) {
            now += 137; // lands at every part of a second
            watermarks.onPeriodicEmit(output);
            assertThat(output.last()).isLessThanOrEqualTo(now - 2000 - 1);
        }
        assertThat(output.last()).as("and it keeps up: within a second of that").isGreaterThan(now - 2000 - 1000);
    }

    @Test
    void aFarFutureTimestampMovesEventTimeNoFurtherThanTheClockPlusTheSkew() {
        ClockAdvancingWatermarks watermarks = generator(2000, 1000);
        event(watermarks, 4_102_444_799L); // 2099, e.g. from a producer whose clock is wrong too
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).isEqualTo(now + SKEW - 2001);

        now += 60_000;
        event(watermarks, T + 60); // live traffic resumes: counted as late until the clock passes the bound
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).isEqualTo(T * 1000 + SKEW - 2001);
    }

    @Test
    void aQuietBacklogPartitionNoLongerHoldsBackAPartitionWithLiveTraffic() {
        ClockAdvancingWatermarks backlogOnly = generator(2000, 1000);
        ClockAdvancingWatermarks live = generator(2000, 1000);
        event(backlogOnly, T - 1800);
        Output backlogOutput = new Output();
        for (int second = 0; second < 5; second++) {
            event(live, now / 1000);
            now += 1000;
            backlogOnly.onPeriodicEmit(backlogOutput);
            live.onPeriodicEmit(output);
        }
        long combined = Math.min(backlogOutput.last(), output.last()); // what the windows see
        long firstLiveWindowEnd = T * 1000 + 999;
        assertThat(combined).as("the first live view's window has closed 5 s later").isGreaterThanOrEqualTo(firstLiveWindowEnd);
    }

    @Test
    void aBackpressuredPartitionIsNotTakenForQuiet() {
        long[] activity = {0}; // Flink's input activity clock: stands still while the source is backpressured
        ClockAdvancingWatermarks watermarks = new ClockAdvancingWatermarks(2000, 1000, SKEW, () -> now, () -> activity[0]);
        event(watermarks, T - 1800); // reading a backlog
        now += 5000; // the job is busy: nothing read for 5 s, but only because of backpressure
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).as("still the backlog's event time").isEqualTo((T - 1800) * 1000 - 2001);

        activity[0] += 1000; // now really quiet for the idle timeout
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).isEqualTo(now - 2001);
    }

    private void event(ClockAdvancingWatermarks watermarks, long seconds) {
        PageView view = PageView.of("u", "/p", seconds);
        watermarks.onEvent(new RawView(view, null, null, 0, 0), view.timestampMillis(), output);
    }

    private static final class Output implements WatermarkOutput {
        final List<Long> emitted = new ArrayList<>();
        boolean idle;

        long last() {
            return emitted.get(emitted.size() - 1);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            emitted.add(watermark.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }
}
