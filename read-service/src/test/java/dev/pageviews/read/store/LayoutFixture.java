package dev.pageviews.read.store;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.resps.Tuple;

/**
 * The Redis layout of issue 30 (/work/notes/issue30-layout.md, flink-job/README.md "The read side in Redis") built from
 * a list of views, the way the job's commit script writes it: per view its UTC minute, local hour and local day buckets
 * (the page and {@code (total)}), the day's exact first visits per page and for the site, the HyperLogLogs of the
 * day's visitors, the counts hash and the commit record; pages beyond the page budget counted under {@code (other)}
 * with no visitors; every bucket expiring its retention after its end, and not written when that has passed.
 *
 * <p>For the read service's tests it writes fixture data into a real redis-server ({@link #writeTo}) or serves it from
 * memory ({@link FakeStatsStore}); for the job's tests it lists how Redis differs from what the views should have made
 * ({@link #differences}).
 */
public final class LayoutFixture {

    /** One view: a page, the visitor's user id, and its event time (epoch seconds). */
    public record View(String page, String user, long second) {}

    private final Layout layout;
    private final ZoneId zone;
    private final Retention retention;
    private final int maxPages;
    private final List<View> views = new ArrayList<>();

    public LayoutFixture(String countsKey, ZoneId zone, Retention retention, int maxPages) {
        this.layout = new Layout(countsKey);
        this.zone = zone;
        this.retention = retention;
        this.maxPages = maxPages;
    }

    public LayoutFixture(String countsKey, ZoneId zone) {
        this(countsKey, zone, Retention.DEFAULTS, 100_000);
    }

    public LayoutFixture view(String page, String user, Instant at) {
        views.add(new View(page, user, at.getEpochSecond()));
        return this;
    }

    /**
     * {@code views} views of pages {@code prefix0} to {@code prefix(pages - 1)} in turn, by {@code users} users, on
     * yesterday and the day before alternately (within "7d", before today); returns the views per page.
     */
    public Map<String, Long> viewsOnThePastTwoDays(int views, String prefix, int pages, int users, Instant now) {
        Map<String, Long> perPage = new TreeMap<>();
        for (int i = 0; i < views; i++) {
            String page = prefix + i % pages;
            view(page, "u" + i % users, now.minusSeconds(86_400L * (1 + i % 2) + 5));
            perPage.merge(page, 1L, Long::sum);
        }
        return perPage;
    }

    public LayoutFixture view(View view) {
        views.add(view);
        return this;
    }

    public List<View> views() {
        return Collections.unmodifiableList(views);
    }

    public Layout layout() {
        return layout;
    }

    public ZoneId zone() {
        return zone;
    }

    public Retention retention() {
        return retention;
    }

    /** What Redis holds after these views were committed, seen at {@code now} (epoch seconds). */
    public Contents contents(long now) {
        Map<String, Long> counts = new LinkedHashMap<>();
        Map<String, Map<String, Long>> sortedSets = new TreeMap<>();
        Map<String, Set<String>> estimates = new TreeMap<>();
        Map<String, Long> expiry = new TreeMap<>();
        Map<String, Set<String>> dayUsers = new LinkedHashMap<>(); // vd key + member → users
        for (View v : views) {
            String page = v.page();
            boolean admitted = counts.containsKey(page) || counts.size() - (counts.containsKey(Layout.OTHER) ? 1 : 0) < maxPages;
            String member = admitted ? page : Layout.OTHER;
            counts.merge(member, 1L, Long::sum);
            Bucket minute = Bucket.minute(Bucket.minuteStart(v.second()));
            Bucket hour = Bucket.hour(Bucket.hourStart(v.second(), zone));
            LocalDate date = LocalDate.ofInstant(Instant.ofEpochSecond(v.second()), zone);
            Bucket day = Bucket.day(date, zone);
            for (Bucket b : List.of(minute, hour, day)) {
                long until = b.end() + retention.of(b.granularity()).toSeconds();
                if (until <= now) {
                    continue;
                }
                String key = layout.views(b);
                Map<String, Long> members = sortedSets.computeIfAbsent(key, k -> new TreeMap<>());
                members.merge(member, 1L, Long::sum);
                members.merge(Layout.TOTAL, 1L, Long::sum);
                expiry.put(key, until);
            }
            long dayUntil = day.end() + retention.day().toSeconds();
            long estimateUntil = day.end() + retention.visitorEstimate().toSeconds();
            List<String> who = admitted ? List.of(Layout.TOTAL, page) : List.of(Layout.TOTAL);
            for (String w : who) {
                if (dayUntil > now) {
                    String key = layout.dayVisitors(date);
                    if (dayUsers.computeIfAbsent(key + "\n" + w, k -> new LinkedHashSet<>()).add(v.user())) {
                        sortedSets.computeIfAbsent(key, k -> new TreeMap<>()).merge(w, 1L, Long::sum);
                        expiry.put(key, dayUntil);
                    }
                }
                if (estimateUntil > now) {
                    String key = w.equals(Layout.TOTAL) ? layout.visitorEstimate(date) : layout.visitorEstimate(date, w);
                    estimates.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(v.user());
                    expiry.put(key, estimateUntil);
                }
            }
        }
        return new Contents(counts, sortedSets, estimates, expiry);
    }

    /** The keys and values the layout holds. */
    public record Contents(Map<String, Long> counts, Map<String, Map<String, Long>> sortedSets,
            Map<String, Set<String>> estimates, Map<String, Long> expiry) {}

    /** The commit record a job with these settings writes. */
    public Map<String, String> meta(long seq, Long watermarkMillis, long committedAtMillis) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("seq", Long.toString(seq));
        meta.put("watermark", Long.toString(watermarkMillis == null ? -1 : watermarkMillis));
        meta.put("committed_at", Long.toString(committedAtMillis));
        meta.put("time_zone", zone.getId());
        meta.put("minute_retention", Long.toString(retention.minute().toSeconds()));
        meta.put("hour_retention", Long.toString(retention.hour().toSeconds()));
        meta.put("day_retention", Long.toString(retention.day().toSeconds()));
        meta.put("visitor_estimate_retention", Long.toString(retention.visitorEstimate().toSeconds()));
        return meta;
    }

    /**
     * Writes everything into Redis as one commit with sequence number {@code seq}, in a transaction (so a reader sees
     * all of it or none), expiring each key as the job does. Does not publish.
     */
    public void writeTo(UnifiedJedis redis, long seq, Long watermarkMillis) {
        long now = System.currentTimeMillis() / 1000;
        Contents contents = contents(now);
        try (var tx = redis.multi()) {
            contents.counts().forEach((page, count) -> tx.hincrBy(layout.counts(), page, count));
            contents.sortedSets().forEach((key, members) -> members.forEach((m, score) -> tx.zincrby(key, score, m)));
            contents.estimates().forEach((key, users) -> {
                List<String> all = new ArrayList<>(users);
                for (int from = 0; from < all.size(); from += 1000) {
                    tx.pfadd(key, all.subList(from, Math.min(all.size(), from + 1000)).toArray(String[]::new));
                }
            });
            contents.expiry().forEach(tx::expireAt);
            tx.hset(layout.meta(), meta(seq, watermarkMillis, now * 1000));
            tx.exec();
        }
    }

    /**
     * How Redis differs from these views' layout: sorted sets member by member, the counts hash, and each
     * HyperLogLog's count against the exact number of its users (within three standard errors, at least 2). Empty when
     * they agree. Keys the fixture has none of are not looked at.
     */
    public List<String> differences(UnifiedJedis redis) {
        long now = System.currentTimeMillis() / 1000;
        Contents expected = contents(now);
        List<String> differences = new ArrayList<>();
        Map<String, Long> counts = new TreeMap<>();
        redis.hgetAll(layout.counts()).forEach((k, v) -> counts.put(k, Long.parseLong(v)));
        if (!counts.equals(new TreeMap<>(expected.counts()))) {
            differences.add(layout.counts() + ": expected " + new TreeMap<>(expected.counts()) + ", found " + counts);
        }
        expected.sortedSets().forEach((key, members) -> {
            Map<String, Long> found = new TreeMap<>();
            for (Tuple t : redis.zrangeWithScores(key, 0, -1)) {
                found.put(t.getElement(), Math.round(t.getScore()));
            }
            if (!found.equals(members)) {
                differences.add(key + ": expected " + members + ", found " + found);
            }
        });
        expected.estimates().forEach((key, users) -> {
            long count = redis.pfcount(key);
            double allowed = Math.max(2, 3 * 0.0081 * users.size());
            if (Math.abs(count - users.size()) > allowed) {
                differences.add(key + ": expected about " + users.size() + " visitors, PFCOUNT says " + count);
            }
        });
        return differences;
    }
}
