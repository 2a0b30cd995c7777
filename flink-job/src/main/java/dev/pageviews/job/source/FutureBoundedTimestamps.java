package dev.pageviews.job.source;

import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A view's event time is its {@code timestamp}, unless that is more than {@code maxFutureSkew} after the time
 * its Kafka record was written: then the device's clock was wrong, and the view is counted at the record's
 * time instead (counted at the bound, it would wait that long for its window to close). The topic may hold
 * records of producers other than the edge, which bounds timestamps itself, so the job must not trust them
 * either: one far-future timestamp would otherwise move event time into the future, and every later view
 * would be late. Clamped views are counted in {@code eventsFutureClamped}.
 *
 * <p>Using the record's timestamp keeps the assignment the same when Kafka is read again after a recovery.
 * Only when the record's own timestamp is missing or itself more than the bound ahead of this machine's clock
 * (a producer with a wrong clock and {@code CreateTime}) does the wall clock take its place.
 * Invalid records (dead letters) keep the record's timestamp; they carry no event time.
 */
public final class FutureBoundedTimestamps implements TimestampAssigner<RawView> {

    public static final String CLAMPED_METRIC = "eventsFutureClamped";

    private static final Logger LOG = LoggerFactory.getLogger(FutureBoundedTimestamps.class);
    private static final long LOG_EVERY_MILLIS = 60_000;

    private final long maxFutureSkewMillis;
    private final ClockAdvancingWatermarks.Clock clock;
    private final Counter clamped;
    private long lastLoggedAt = Long.MIN_VALUE;

    public FutureBoundedTimestamps(long maxFutureSkewMillis, ClockAdvancingWatermarks.Clock clock, Counter clamped) {
        this.maxFutureSkewMillis = maxFutureSkewMillis;
        this.clock = clock;
        this.clamped = clamped;
    }

    @Override
    public long extractTimestamp(RawView record, long recordTimestamp) {
        if (!record.isValid()) {
            return recordTimestamp;
        }
        long viewTime = record.view().timestampMillis();
        long now = clock.millis();
        // A record is read after it was written, so for an honest producer the clock never decides: the
        // assignment is the same when the record is read again later.
        long reference = recordTimestamp >= 0 && recordTimestamp - now <= maxFutureSkewMillis ? recordTimestamp : now;
        if (viewTime - reference <= maxFutureSkewMillis) {
            return viewTime;
        }
        clamped.inc();
        if (now - lastLoggedAt >= LOG_EVERY_MILLIS) {
            lastLoggedAt = now;
            LOG.warn("View at partition {} offset {} has timestamp {} ({} ms), more than {} ms after its Kafka record's "
                            + "time {} ms; counted at {} ms instead. Fix the producing device's or producer's clock. "
                            + "{} views clamped so far in this subtask (metric {}; this is logged at most once a minute).",
                    record.partition(), record.offset(), record.view().timestamp(), viewTime, maxFutureSkewMillis,
                    recordTimestamp, reference, clamped.getCount(), CLAMPED_METRIC);
        }
        return reference;
    }
}
