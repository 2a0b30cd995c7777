package dev.pageviews.read.query;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.function.BiFunction;

/**
 * Resolves a {@code date_range} against today in the reporting time zone, as Plausible does: {@code day} is today,
 * {@code <n>d} the n whole days before today, {@code <n>mo} the n whole months before this one, {@code month} and
 * {@code year} the current ones (days to come included), {@code all} from the first day with views. The rolling
 * ranges are minutes: {@code realtime} the current minute and the 4 before it (the last 5 minutes), {@code 30m} and
 * {@code 24h} likewise. A datetime range is widened to whole minutes, the smallest bucket.
 */
public final class Periods {

    private Periods() {}

    /**
     * @param now the current time, epoch seconds
     * @param firstDayWithViews the first local day from the first date to the second that has views, or null when none
     * @param keptDays how far back days are kept ({@code day_retention}): where {@code all} looks from
     * @param maxRange the longest range answered ({@code --max-range})
     */
    public static Period resolve(DateRangeSpec spec, ZoneId zone, long now, LocalDate todayOverride,
            BiFunction<LocalDate, LocalDate, LocalDate> firstDayWithViews, Duration keptDays, Duration maxRange) {
        LocalDate today = todayOverride != null ? todayOverride : Period.localDate(now, zone);
        long minute = Math.floorDiv(now, 60) * 60;
        Period period;
        if (spec instanceof DateRangeSpec.Named named) {
            String name = named.name();
            period = switch (name) {
                case "realtime" -> new Period(minute - 4 * 60, minute + 60, zone);
                case "30m" -> new Period(minute - 29 * 60, minute + 60, zone);
                case "24h" -> new Period(minute - 1439 * 60, minute + 60, zone);
                case "day" -> days(today, today, zone);
                case "month" -> days(today.withDayOfMonth(1), today.withDayOfMonth(today.lengthOfMonth()), zone);
                case "year" -> days(today.withDayOfYear(1), today.withDayOfYear(today.lengthOfYear()), zone);
                case "all" -> {
                    long limitDays = Math.min(keptDays.toDays(), maxRange.toDays() - 1);
                    LocalDate first = firstDayWithViews.apply(today.minusDays(Math.max(0, limitDays)), today);
                    yield days(first == null ? today : first, today, zone);
                }
                default -> {
                    if (name.endsWith("mo")) {
                        int n = Integer.parseInt(name.substring(0, name.length() - 2));
                        LocalDate thisMonth = today.withDayOfMonth(1);
                        yield days(thisMonth.minusMonths(n), thisMonth.minusDays(1), zone);
                    }
                    int n = Integer.parseInt(name.substring(0, name.length() - 1));
                    yield days(today.minusDays(n), today.minusDays(1), zone);
                }
            };
        } else if (spec instanceof DateRangeSpec.Dates dates) {
            period = days(dates.first(), dates.last(), zone);
        } else {
            DateRangeSpec.Instants instants = (DateRangeSpec.Instants) spec;
            long from = Math.floorDiv(instants.first().toEpochSecond(), 60) * 60;
            long lastSecond = instants.last().toEpochSecond(); // the range includes its last second
            long to = Math.floorDiv(lastSecond, 60) * 60 + 60;
            period = new Period(from, to, zone);
        }
        if (Duration.ofSeconds(period.to() - period.from()).compareTo(maxRange.plusHours(1)) > 0) { // a DST day is 25 h
            throw new QueryException("date_range", "the range is longer than " + maxRange.toDays() + " days, the most this "
                    + "service answers (--max-range)");
        }
        return period;
    }

    private static Period days(LocalDate first, LocalDate last, ZoneId zone) {
        if (first.getYear() < 1970 || last.getYear() > 9999) {
            throw new QueryException("date_range", "dates must be from 1970 to 9999");
        }
        return new Period(first.atStartOfDay(zone).toEpochSecond(), last.plusDays(1).atStartOfDay(zone).toEpochSecond(), zone);
    }
}
