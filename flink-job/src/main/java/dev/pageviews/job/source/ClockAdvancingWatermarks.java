package dev.pageviews.job.source;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded out-of-orderness watermarks for one Kafka partition that keep up with the wall clock when the
 * partition goes quiet, and that the wall clock bounds from above.
 *
 * <ul>
 *   <li>While events flow, the watermark trails the newest event by {@code outOfOrderness}.
 *   <li>After {@code idleTimeout} without events, the watermark jumps to the wall clock minus
 *       {@code outOfOrderness} (never beyond), so the last windows close soon after traffic stops, and a
 *       partition whose newest events are old (a backlog just read) does not
 *       hold back the live views of the others: it used to advance at clock speed from its newest event, so
 *       after a backlog stamped 30 minutes ago it stayed 30 minutes behind. A live view is stamped with its
 *       whole second, so the jump stops at the start of the clock's current second: a view of this second is
 *       never late because of it, and 1 s windows close just as early.
 *   <li>No event moves event time further than {@code maxFutureSkew} ahead of the wall clock, whatever its
 *       timestamp: a producer with a wrong clock cannot stop windows from closing. (The timestamp assigner,
 *       {@link FutureBoundedTimestamps}, already bounds each view; this is the generator's own guard.)
 *   <li>A partition without an event since the job (re)started is marked idle, so it does not hold back the
 *       others, and after {@code idleTimeout} follows the clock like any quiet partition. Idle alone would stall a
 *       restored job: when no partition gets a new event, every input is idle, event time never moves, and the
 *       windows restored from the checkpoint never close.
 * </ul>
 *
 * Events that arrive behind the watermark are still counted, as late increments.
 */
public final class ClockAdvancingWatermarks implements WatermarkGenerator<RawView> {

    /** The resolution of {@code timestamp} in the contract: Unix seconds. */
    public static final long TIMESTAMP_RESOLUTION_MILLIS = 1000;

    private final long outOfOrdernessMillis;
    private final long idleTimeoutMillis;
    private final long maxFutureSkewMillis;
    private final Clock clock;
    private final Clock inputActivity;
    private long maxTimestamp = Long.MIN_VALUE;
    private long lastEventAt = Long.MIN_VALUE; // by the input activity clock: of the last event, or the first emit
    private long lastEmitted = Long.MIN_VALUE;

    /** Milliseconds of wall-clock time; a seam for tests. */
    public interface Clock {
        long millis();
    }

    public ClockAdvancingWatermarks(long outOfOrdernessMillis, long idleTimeoutMillis, long maxFutureSkewMillis, Clock clock) {
        this(outOfOrdernessMillis, idleTimeoutMillis, maxFutureSkewMillis, clock, clock);
    }

    /**
     * {@code inputActivity} measures how long the partition has been quiet: Flink's input activity clock stands
     * still while the source is backpressured, so a partition that is not read because the job is busy (say,
     * with a backlog) is not taken for quiet, and its remaining views do not all become late.
     */
    public ClockAdvancingWatermarks(long outOfOrdernessMillis, long idleTimeoutMillis, long maxFutureSkewMillis, Clock clock,
            Clock inputActivity) {
        this.outOfOrdernessMillis = outOfOrdernessMillis;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.maxFutureSkewMillis = maxFutureSkewMillis;
        this.clock = clock;
        this.inputActivity = inputActivity;
    }

    @Override
    public void onEvent(RawView event, long eventTimestamp, WatermarkOutput output) {
        if (!event.isValid()) {
            return; // dead letters carry no event time
        }
        lastEventAt = inputActivity.millis();
        // Only a view newer than the newest so far can move event time, so only then is the wall clock read (most
        // views share their second with the one before; a clock read per view was a few percent of the source task).
        if (eventTimestamp > maxTimestamp) {
            maxTimestamp = Math.max(maxTimestamp, Math.min(eventTimestamp, clock.millis() + maxFutureSkewMillis));
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        long activity = inputActivity.millis();
        if (lastEventAt == Long.MIN_VALUE) {
            lastEventAt = activity;
        }
        boolean quiet = activity - lastEventAt >= idleTimeoutMillis;
        if (maxTimestamp == Long.MIN_VALUE && !quiet) {
            output.markIdle();
            return;
        }
        long watermark = maxTimestamp == Long.MIN_VALUE ? Long.MIN_VALUE : maxTimestamp - outOfOrdernessMillis - 1;
        long now = clock.millis();
        if (quiet) {
            long startOfSecond = now - Math.floorMod(now, TIMESTAMP_RESOLUTION_MILLIS);
            watermark = Math.max(watermark, startOfSecond - outOfOrdernessMillis - 1);
        }
        if (watermark > lastEmitted) {
            lastEmitted = watermark;
        }
        output.emitWatermark(new Watermark(lastEmitted));
    }
}
