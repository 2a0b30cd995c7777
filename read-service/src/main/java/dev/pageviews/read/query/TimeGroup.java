package dev.pageviews.read.query;

import dev.pageviews.read.store.Granularity;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * One row group of a time dimension: the bucket that starts at {@code bucketStart} (its label), clipped to the period as
 * {@code [start, end)}. Without a time dimension the whole period is one group with no label.
 */
record TimeGroup(String label, long bucketStart, long bucketEnd, long start, long end) {

    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:00");
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:00:00");

    /** The groups of {@code granularity} (null: none) that cut {@code period}, in time order. */
    static List<TimeGroup> of(Period period, Granularity granularity) {
        List<TimeGroup> groups = new ArrayList<>();
        ZoneId zone = period.zone();
        if (granularity == null) {
            groups.add(new TimeGroup(null, period.from(), period.to(), period.from(), period.to()));
            return groups;
        }
        long t = period.from();
        while (t < period.to()) {
            long bucketStart;
            long bucketEnd;
            String label;
            switch (granularity) {
                case MINUTE -> {
                    bucketStart = Math.floorDiv(t, 60) * 60;
                    bucketEnd = bucketStart + 60;
                    label = MINUTE.format(Instant.ofEpochSecond(bucketStart).atZone(zone));
                }
                case HOUR -> {
                    bucketStart = dev.pageviews.read.store.Bucket.hourStart(t, zone);
                    bucketEnd = bucketStart + 3600;
                    label = HOUR.format(Instant.ofEpochSecond(bucketStart).atZone(zone));
                }
                default -> {
                    java.time.LocalDate date = Period.localDate(t, zone);
                    bucketStart = date.atStartOfDay(zone).toEpochSecond();
                    bucketEnd = date.plusDays(1).atStartOfDay(zone).toEpochSecond();
                    label = date.toString();
                }
            }
            long end = Math.min(bucketEnd, period.to());
            groups.add(new TimeGroup(label, bucketStart, bucketEnd, Math.max(bucketStart, period.from()), end));
            t = end;
        }
        return groups;
    }
}
