package dev.pageviews.read.store;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * One bucket of views as the job writes it: the UTC minute or the local hour starting at epoch second {@code start},
 * or the local day {@code date} of the reporting time zone, which lasts from {@code start} to {@code end} (23 or 25
 * hours on DST days). A local hour is named by the instant it starts, so DST's repeated hour is two buckets.
 */
public record Bucket(Granularity granularity, long start, long end, LocalDate date) {

    public static Bucket minute(long start) {
        if (Math.floorMod(start, 60) != 0) {
            throw new IllegalArgumentException("a minute starts at a whole minute, not at second " + start);
        }
        return new Bucket(Granularity.MINUTE, start, start + 60, null);
    }

    /** The local hour of {@code zone} that starts at {@code start} (the job's {@code ReportingTime.hourStart}). */
    public static Bucket hour(long start) {
        return new Bucket(Granularity.HOUR, start, start + 3600, null);
    }

    public static Bucket day(LocalDate date, ZoneId zone) {
        return new Bucket(Granularity.DAY, date.atStartOfDay(zone).toEpochSecond(),
                date.plusDays(1).atStartOfDay(zone).toEpochSecond(), date);
    }

    /** The start of the local hour of {@code zone} that holds {@code second}, as the job computes it. */
    public static long hourStart(long second, ZoneId zone) {
        return ZonedDateTime.ofInstant(Instant.ofEpochSecond(second), zone).truncatedTo(ChronoUnit.HOURS).toEpochSecond();
    }

    public static long minuteStart(long second) {
        return Math.floorDiv(second, 60) * 60;
    }

    /** Whether the bucket lies within {@code [from, to)}. */
    public boolean within(long from, long to) {
        return start >= from && end <= to;
    }
}
