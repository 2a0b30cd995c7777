package dev.pageviews.job.count;

import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * The time buckets a view falls in: its minute in UTC, and its hour and its day in the reporting time zone. A local
 * hour is named by the instant it starts (so the hour a DST change repeats is two buckets, and the hour it skips
 * none); a local day by its date, and it is 23 or 25 hours long on DST days. Not thread-safe: it remembers the last
 * day it computed, as consecutive views mostly fall on the same day.
 */
public final class ReportingTime implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ZoneId zone;
    private transient long dayStart = 1;
    private transient long dayEnd = 0;
    private transient String date;

    public ReportingTime(ZoneId zone) {
        this.zone = zone;
    }

    public ZoneId zone() {
        return zone;
    }

    public static long minuteStart(long second) {
        return Math.floorDiv(second, 60) * 60;
    }

    /** The instant (Unix seconds) the local hour of {@code second} starts. */
    public long hourStart(long second) {
        return ZonedDateTime.ofInstant(Instant.ofEpochSecond(second), zone).truncatedTo(ChronoUnit.HOURS).toEpochSecond();
    }

    /** The local date of {@code second}, as {@code yyyy-MM-dd}. */
    public String date(long second) {
        if (second < dayStart || second >= dayEnd) {
            LocalDate day = ZonedDateTime.ofInstant(Instant.ofEpochSecond(second), zone).toLocalDate();
            dayStart = day.atStartOfDay(zone).toEpochSecond();
            dayEnd = day.plusDays(1).atStartOfDay(zone).toEpochSecond();
            date = day.toString();
        }
        return date;
    }

    /** The instant (Unix seconds) the local day of {@code second} ends. */
    public long dayEnd(long second) {
        date(second);
        return dayEnd;
    }
}
