package dev.pageviews.local;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The answers the Stats API owes, counted straight from the views a client got a 202 for: one per event id (a copy
 * of an accepted id adds nothing while the job deduplicates), grouped with {@code java.time} in the reporting time
 * zone. No buckets, no Redis layout, no HyperLogLog: nothing the job or the read service computes.
 */
final class ViewTally {

    /** One view as the client sent it, every time. */
    record View(String eventId, String user, String page, long second) {
        String json() {
            return "{\"user_id\":\"" + user + "\",\"page_url\":\"" + page + "\",\"timestamp\":" + second
                    + ",\"event_id\":\"" + eventId + "\"}";
        }
    }

    /** The API's time dimensions, with the labels it gives a bucket. */
    enum Granularity {
        MINUTE("time:minute"), HOUR("time:hour"), DAY("time:day");

        private static final DateTimeFormatter MINUTE_LABEL = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:00");
        private static final DateTimeFormatter HOUR_LABEL = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:00:00");

        final String apiName;

        Granularity(String apiName) {
            this.apiName = apiName;
        }

        String label(long second, ZoneId zone) {
            ZonedDateTime at = Instant.ofEpochSecond(second).atZone(zone);
            return switch (this) {
                case MINUTE -> MINUTE_LABEL.format(at.truncatedTo(ChronoUnit.MINUTES));
                case HOUR -> HOUR_LABEL.format(at.truncatedTo(ChronoUnit.HOURS));
                case DAY -> at.toLocalDate().toString();
            };
        }
    }

    /** A row's figures: views, and the distinct users behind them. */
    record Figures(long views, Set<String> users) {}

    private final ZoneId zone;
    private final Map<String, View> accepted = new ConcurrentHashMap<>();

    ViewTally(ZoneId zone) {
        this.zone = zone;
    }

    /** A 202 for {@code view}: counted if its id is new. */
    void accepted(View view) {
        View before = accepted.putIfAbsent(view.eventId(), view);
        if (before != null && !before.equals(view)) {
            throw new IllegalStateException("two different views sent with id " + view.eventId());
        }
    }

    int size() {
        return accepted.size();
    }

    /** The newest timestamp of an accepted view, epoch seconds. */
    long newestSecond() {
        return accepted.values().stream().mapToLong(View::second).max().orElse(0);
    }

    /**
     * The rows of views in {@code [from, to)} (epoch seconds), keyed as the API's {@code dimensions}: the time label
     * when {@code time} is not null, then the page when {@code byPage}. Groups without views have no row, as in the API.
     */
    Map<List<String>, Figures> rows(long from, long to, Granularity time, boolean byPage) {
        Map<List<String>, List<View>> groups = accepted.values().stream()
                .filter(view -> view.second() >= from && view.second() < to)
                .collect(Collectors.groupingBy(view -> key(view, time, byPage), () -> new TreeMap<>(ViewTally::compareKeys),
                        Collectors.toList()));
        Map<List<String>, Figures> rows = new TreeMap<>(ViewTally::compareKeys);
        groups.forEach((key, views) -> rows.put(key, new Figures(views.size(),
                views.stream().map(View::user).collect(Collectors.toSet()))));
        return rows;
    }

    private List<String> key(View view, Granularity time, boolean byPage) {
        List<String> key = new ArrayList<>(2);
        if (time != null) {
            key.add(time.label(view.second(), zone));
        }
        if (byPage) {
            key.add(view.page());
        }
        return List.copyOf(key);
    }

    /** The distinct users of each local day in {@code [from, to)} of page {@code page} (null: every page). */
    Map<LocalDate, Set<String>> usersPerDay(long from, long to, String page) {
        Map<LocalDate, Set<String>> days = new TreeMap<>();
        for (View view : accepted.values()) {
            if (view.second() >= from && view.second() < to && (page == null || page.equals(view.page()))) {
                days.computeIfAbsent(LocalDate.ofInstant(Instant.ofEpochSecond(view.second()), zone), d -> new HashSet<>())
                        .add(view.user());
            }
        }
        return days;
    }

    static long union(Collection<Set<String>> sets) {
        Set<String> all = new HashSet<>();
        sets.forEach(all::addAll);
        return all.size();
    }

    private static int compareKeys(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }
}
