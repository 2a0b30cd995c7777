package dev.pageviews.read.query;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * A resolved date range: the instants {@code [from, to)} in epoch seconds, whole minutes, and the reporting time zone
 * whose days and hours it is cut in.
 */
public record Period(long from, long to, ZoneId zone) {

    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx");

    public Period {
        if (to <= from || Math.floorMod(from, 60) != 0 || Math.floorMod(to, 60) != 0) {
            throw new IllegalArgumentException("a period is whole minutes, from before to: " + from + ", " + to);
        }
    }

    /** Whether {@code [start, end)} starts and ends at local midnights of the zone. */
    public static boolean wholeDays(long start, long end, ZoneId zone) {
        return start == dayStart(start, zone) && end == dayStart(end, zone);
    }

    public static long dayStart(long second, ZoneId zone) {
        return localDate(second, zone).atStartOfDay(zone).toEpochSecond();
    }

    public static LocalDate localDate(long second, ZoneId zone) {
        return LocalDate.ofInstant(Instant.ofEpochSecond(second), zone);
    }

    /** As the answer's {@code query.date_range} shows it: first and last second, ISO 8601 in the zone, as Plausible. */
    public List<String> echo() {
        return List.of(ISO.format(Instant.ofEpochSecond(from).atZone(zone)), ISO.format(Instant.ofEpochSecond(to - 1).atZone(zone)));
    }
}
