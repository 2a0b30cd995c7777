package dev.pageviews.job.source;

import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A view's event time is its {@code timestamp}, but never later than the time its Kafka record was written: a
 * view cannot have happened after it was received. A device clock a minute ahead (the edge accepts up to
 * {@code --max-future-skew}) would otherwise hold the view in a window a minute ahead, uncounted until the wall
 * clock gets there. More than {@code maxFutureSkew} ahead means a wrong clock (or a producer other than the
 * edge, which does not bound timestamps): those views are also counted in {@code eventsFutureClamped} and
 * logged. Either way one far-future timestamp cannot move event time into the future and make every later
 * view late. Which window a view is summed in changes only when its count reaches Redis, never the count.
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
        if (viewTime <= reference) {
            return viewTime;
        }
        if (viewTime - reference <= maxFutureSkewMillis) {
            return reference; // a clock a little ahead: nothing to report
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
