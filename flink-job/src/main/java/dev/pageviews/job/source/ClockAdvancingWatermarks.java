package dev.pageviews.job.source;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded out-of-orderness watermarks for one Kafka partition that keep moving when the partition goes
 * quiet: after {@code idleTimeout} without events, event time advances with the wall clock from the newest
 * event seen. So the last windows close a few seconds after traffic stops instead of waiting for the next
 * event, and an idle partition never holds the others back. A partition that has never had an event is
 * marked idle. Events that arrive behind the watermark are still counted, as late increments.
 */
public final class ClockAdvancingWatermarks implements WatermarkGenerator<RawView> {

    private final long outOfOrdernessMillis;
    private final long idleTimeoutMillis;
    private final Clock clock;
    private long maxTimestamp = Long.MIN_VALUE;
    private long lastEventAt;
    private long lastEmitted = Long.MIN_VALUE;

    /** Milliseconds of wall-clock time; a seam for tests. */
    public interface Clock {
        long millis();
    }

    public ClockAdvancingWatermarks(long outOfOrdernessMillis, long idleTimeoutMillis, Clock clock) {
        this.outOfOrdernessMillis = outOfOrdernessMillis;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.clock = clock;
    }

    @Override
    public void onEvent(RawView event, long eventTimestamp, WatermarkOutput output) {
        if (!event.isValid()) {
            return; // dead letters carry no event time
        }
        lastEventAt = clock.millis();
        if (eventTimestamp > maxTimestamp) {
            maxTimestamp = eventTimestamp;
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (maxTimestamp == Long.MIN_VALUE) {
            output.markIdle();
            return;
        }
        long quietFor = clock.millis() - lastEventAt - idleTimeoutMillis;
        long watermark = maxTimestamp - outOfOrdernessMillis - 1 + Math.max(0, quietFor);
        if (watermark > lastEmitted) {
            lastEmitted = watermark;
        }
        output.emitWatermark(new Watermark(lastEmitted));
    }
}
