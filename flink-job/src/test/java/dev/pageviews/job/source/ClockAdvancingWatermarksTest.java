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

    private long now = T * 1000;
    private final Output output = new Output();

    @Test
    void aPartitionWithoutEventsIsIdle() {
        ClockAdvancingWatermarks watermarks = new ClockAdvancingWatermarks(2000, 1000, () -> now);
        watermarks.onPeriodicEmit(output);
        assertThat(output.idle).isTrue();
        assertThat(output.emitted).isEmpty();
    }

    @Test
    void trailsTheNewestEventByTheOutOfOrdernessWhileEventsFlow() {
        ClockAdvancingWatermarks watermarks = new ClockAdvancingWatermarks(2000, 1000, () -> now);
        event(watermarks, T);
        now += 400;
        event(watermarks, T - 3); // out of order: never moves the watermark back
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).isEqualTo(T * 1000 - 2001);
    }

    @Test
    void whenQuietAdvancesWithTheClockFromTheEndOfTheNewestSecond() {
        ClockAdvancingWatermarks watermarks = new ClockAdvancingWatermarks(0, 500, () -> now);
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
        ClockAdvancingWatermarks watermarks = new ClockAdvancingWatermarks(2000, 1000, () -> now);
        event(watermarks, T);
        now += 1000;
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).isEqualTo(T * 1000 + 999 - 2000);
    }

    @Test
    void neverGoesBackWhenEventsResumeBehindTheClock() {
        ClockAdvancingWatermarks watermarks = new ClockAdvancingWatermarks(0, 1000, () -> now);
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
        ClockAdvancingWatermarks watermarks = new ClockAdvancingWatermarks(0, 1000, () -> now);
        event(watermarks, T);
        now += 1500;
        watermarks.onEvent(new RawView(null, new byte[] {'x'}, "not JSON", 0, 1), now, output);
        watermarks.onPeriodicEmit(output);
        assertThat(output.last()).isEqualTo(T * 1000 + 999 + 500);
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
