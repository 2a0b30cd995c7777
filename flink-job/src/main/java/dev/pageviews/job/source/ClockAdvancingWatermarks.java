package dev.pageviews.job.source;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded out-of-orderness watermarks for one Kafka partition that keep moving when the partition goes
 * quiet: after {@code idleTimeout} without events, event time advances with the wall clock, so the last
 * windows close soon after traffic stops instead of waiting for the next event, and a quiet partition never
 * holds the others back. A partition that has never had an event is marked idle. Events that arrive behind
 * the watermark are still counted, as late increments.
 *
 * <p>Timestamps are whole seconds: a view stamped T may have happened as late as T + 999 ms. So once the
 * partition is quiet, event time advances from the end of its newest view's second rather than its start;
 * otherwise the last window of a burst would wait almost a second longer than the quiet period.
 */
public final class ClockAdvancingWatermarks implements WatermarkGenerator<RawView> {

    /** The resolution of {@code timestamp} in the contract: Unix seconds. */
    public static final long TIMESTAMP_RESOLUTION_MILLIS = 1000;

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
        long watermark = maxTimestamp - outOfOrdernessMillis - 1;
        long quietFor = clock.millis() - lastEventAt - idleTimeoutMillis;
        if (quietFor >= 0) {
            long newestSecondEnd = maxTimestamp - Math.floorMod(maxTimestamp, TIMESTAMP_RESOLUTION_MILLIS)
                    + TIMESTAMP_RESOLUTION_MILLIS - 1;
            watermark = Math.max(watermark, newestSecondEnd - outOfOrdernessMillis + quietFor);
        }
        if (watermark > lastEmitted) {
            lastEmitted = watermark;
        }
        output.emitWatermark(new Watermark(lastEmitted));
    }
}
