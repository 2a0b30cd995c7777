package dev.pageviews.read.query;

import dev.pageviews.read.store.Bucket;
import dev.pageviews.read.store.Granularity;
import dev.pageviews.read.store.Retention;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Covers a span of time with the fewest buckets the job keeps: whole local days, then whole local hours, then UTC
 * minutes at the edges. Buckets are exact and additive, so the sum over the cover is the exact count of the span. A
 * bucket past its retention is replaced by the finer buckets it is made of when those are still kept; when nothing
 * covers a piece, the span cannot be answered exactly and {@link Unavailable} says which kind of bucket is gone.
 */
final class Tiling {

    /**
     * A bucket this close to its expiry counts as gone: it may expire while the query reads, and a missing key reads
     * as zero, which must never be answered as a count.
     */
    static final Duration EXPIRY_MARGIN = Duration.ofMinutes(1);

    private final ZoneId zone;
    private final Retention retention;
    private final long now;

    Tiling(ZoneId zone, Retention retention, long now) {
        this.zone = zone;
        this.retention = retention;
        this.now = now;
    }

    /** A bucket that the span needs is no longer kept. */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;
        final Granularity granularity;
        final long bucketStart;

        Unavailable(Granularity granularity, long bucketStart) {
            super(null, null, false, false);
            this.granularity = granularity;
            this.bucketStart = bucketStart;
        }
    }

    /** The buckets covering {@code [from, to)} (whole minutes), without those that lie wholly in the future. */
    List<Bucket> cover(long from, long to) throws Unavailable {
        List<Bucket> out = new ArrayList<>();
        long t = from;
        while (t < to) {
            Bucket day = Bucket.day(Period.localDate(t, zone), zone);
            if (day.start() == t && day.end() <= to) {
                addDay(day, out);
                t = day.end();
                continue;
            }
            Bucket hour = hourAt(t);
            if (hour != null && hour.end() <= to) {
                addHour(hour, out);
                t = hour.end();
                continue;
            }
            addMinute(Bucket.minute(t), out);
            t += 60;
        }
        return out;
    }

    /** The local hour starting at {@code t}, when one does and all of it falls in that hour (not so across some DST shifts). */
    private Bucket hourAt(long t) {
        return Bucket.hourStart(t, zone) == t && Bucket.hourStart(t + 3599, zone) == t ? Bucket.hour(t) : null;
    }

    private void addDay(Bucket day, List<Bucket> out) throws Unavailable {
        if (kept(day)) {
            add(day, out);
            return;
        }
        try { // finer buckets may be kept longer than days in some configurations
            List<Bucket> finer = new ArrayList<>();
            for (long t = day.start(); t < day.end();) {
                Bucket hour = hourAt(t);
                if (hour != null && hour.end() <= day.end()) {
                    addHour(hour, finer);
                    t = hour.end();
                } else {
                    addMinute(Bucket.minute(t), finer);
                    t += 60;
                }
            }
            out.addAll(finer);
        } catch (Unavailable finerGone) {
            throw new Unavailable(Granularity.DAY, day.start());
        }
    }

    private void addHour(Bucket hour, List<Bucket> out) throws Unavailable {
        if (kept(hour)) {
            add(hour, out);
            return;
        }
        try {
            List<Bucket> minutes = new ArrayList<>();
            for (long t = hour.start(); t < hour.end(); t += 60) {
                addMinute(Bucket.minute(t), minutes);
            }
            out.addAll(minutes);
        } catch (Unavailable minutesGone) {
            throw new Unavailable(Granularity.HOUR, hour.start());
        }
    }

    private void addMinute(Bucket minute, List<Bucket> out) throws Unavailable {
        if (!kept(minute)) {
            throw new Unavailable(Granularity.MINUTE, minute.start());
        }
        add(minute, out);
    }

    private void add(Bucket bucket, List<Bucket> out) {
        if (bucket.start() <= now) { // a bucket still to come holds nothing yet
            out.add(bucket);
        }
    }

    /** Whether the job still keeps the bucket: it expires its retention after its end. */
    boolean kept(Bucket bucket) {
        return bucket.end() + retention.of(bucket.granularity()).toSeconds() > now + EXPIRY_MARGIN.toSeconds();
    }
}
