package dev.pageviews.read.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pageviews.read.store.Bucket;
import dev.pageviews.read.store.CommitRecord;
import dev.pageviews.read.store.Granularity;
import dev.pageviews.read.store.Layout;
import dev.pageviews.read.store.ReadBatch;
import dev.pageviews.read.store.StatsStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Runs a {@link StatsQuery} against the {@link StatsStore}: resolves its dates in the reporting time zone of the last
 * commit, covers each row's span with the coarsest buckets still kept ({@link Tiling}), reads everything as of one
 * commit, and builds rows, {@code meta} and {@code query} as Plausible's Stats API v2 does.
 *
 * <p>What the numbers promise: views are exact sums of buckets. Visitors are exact for one local day (the job's
 * exact per-day sets); over several days, or several pages at once, they are the HyperLogLog union of the days'
 * estimates (standard error 0.81 %), never a sum of daily figures, and labelled so in {@code meta}. An estimate is
 * moved into what the exact figures allow: at least the most visitors of one of its days, at most the sum of its days'
 * visitors and at most its views; {@code meta.metric_warnings} says when that happened.
 */
public final class QueryRunner {

    /** HyperLogLog's standard error in Redis (16384 registers): 1.04 / sqrt(16384). */
    public static final double VISITOR_ESTIMATE_ERROR = 0.0081;
    /** The most time buckets one answer has (time:minute over a day is 1,440). */
    static final int MAX_TIME_BUCKETS = 20_000;
    private static final int ATTEMPTS = 3;

    private final StatsStore store;
    private final Clock clock;
    private final Duration maxRange;
    private final ObjectMapper json;

    public QueryRunner(StatsStore store, Clock clock, Duration maxRange, ObjectMapper json) {
        this.store = store;
        this.clock = clock;
        this.maxRange = maxRange;
        this.json = json;
    }

    /** A query resolved against the last commit: what it asks, what it will read, and its {@code query} echo. */
    public record Prepared(StatsQuery query, CommitRecord commit, long now, Period period, Granularity granularity,
            List<TimeGroup> groups, List<List<Bucket>> covers, List<StatsQuery.Order> order, ObjectNode echo) {

        public String etag(String format) {
            return Answer.etag(echo, commit.seq(), format);
        }
    }

    /**
     * Resolves the query against the last commit (its time zone and retentions) and checks what needs the data.
     *
     * @throws QueryException when the data cannot answer it (a bucket past its retention, visitors of part of a day)
     */
    public Prepared prepare(StatsQuery query) {
        CommitRecord commit = store.commit();
        long now = clock.instant().getEpochSecond();
        ZoneId zone = commit.zone();
        Period period = Periods.resolve(query.dateRange(), zone, now, query.today().orElse(null),
                (first, last) -> firstDayWithViews(first, last, zone), commit.retention().day(), maxRange);
        Granularity granularity = query.timeDimension().map(d -> granularityOf(d, query.dateRange(), period)).orElse(null);
        List<TimeGroup> groups = TimeGroup.of(period, granularity);
        if (groups.size() > MAX_TIME_BUCKETS) {
            throw new QueryException("dimensions", groups.size() + " time buckets are more than the " + MAX_TIME_BUCKETS
                    + " one answer has; ask for a coarser time dimension or a shorter date_range");
        }
        Tiling tiling = new Tiling(zone, commit.retention(), now);
        List<List<Bucket>> covers = new ArrayList<>();
        for (TimeGroup group : groups) {
            try {
                covers.add(tiling.cover(group.start(), group.end()));
            } catch (Tiling.Unavailable e) {
                throw unavailable(e, granularity, commit, zone);
            }
        }
        if (query.metrics().contains(Metric.VISITORS)) {
            checkVisitors(query, groups, commit, now, zone);
        }
        List<StatsQuery.Order> order = order(query);
        return new Prepared(query, commit, now, period, granularity, groups, covers, order, echo(query, period, order));
    }

    /** Reads and computes the answer; when commits land meanwhile, prepares it again against the newer one. */
    public Answer answer(Prepared prepared) {
        Prepared current = prepared;
        for (int attempt = 1; ; attempt++) {
            try {
                return compute(current);
            } catch (CommitMovedOn moved) {
                if (attempt == ATTEMPTS) {
                    throw new StatsStore.CommitMoved("commits landed during each of " + ATTEMPTS + " attempts to answer");
                }
                current = prepare(prepared.query());
            }
        }
    }

    /** The read of the visitors found a newer commit than the read of the views. */
    private static final class CommitMovedOn extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CommitMovedOn() {
            super(null, null, false, false);
        }
    }

    private static Granularity granularityOf(Dimension dimension, DateRangeSpec spec, Period period) {
        if (dimension.granularity() != null) {
            return dimension.granularity();
        }
        if (spec instanceof DateRangeSpec.Named named && (named.name().equals("realtime") || named.name().equals("30m"))) {
            return Granularity.MINUTE;
        }
        return period.to() - period.from() <= Duration.ofHours(49).toSeconds() ? Granularity.HOUR : Granularity.DAY;
    }

    private LocalDate firstDayWithViews(LocalDate first, LocalDate last, ZoneId zone) {
        ReadBatch batch = new ReadBatch();
        List<ReadBatch.Result<Boolean>> found = new ArrayList<>();
        List<LocalDate> days = first.datesUntil(last.plusDays(1)).toList();
        days.forEach(day -> found.add(batch.exists(Bucket.day(day, zone))));
        store.read(batch);
        for (int i = 0; i < days.size(); i++) {
            if (found.get(i).get()) {
                return days.get(i);
            }
        }
        return null;
    }

    private static QueryException unavailable(Tiling.Unavailable e, Granularity asked, CommitRecord commit, ZoneId zone) {
        String kept = days(commit.retention().of(e.granularity));
        String when = Instant.ofEpochSecond(e.bucketStart).atZone(zone).toLocalDateTime().toString();
        if (asked != null && asked == e.granularity) {
            return new QueryException("dimensions", "time:" + e.granularity.word() + " buckets are kept for " + kept
                    + " (the job's --" + e.granularity.word() + "-retention), and the one of " + when + " is gone; ask for a "
                    + "coarser time dimension or a date_range within the last " + kept);
        }
        return new QueryException("date_range", "the range needs the " + e.granularity.word() + " bucket of " + when
                + ", and " + e.granularity.word() + " buckets are kept for " + kept + " (the job's --"
                + e.granularity.word() + "-retention); ask for whole " + (e.granularity == Granularity.MINUTE ? "hours or days"
                : e.granularity == Granularity.HOUR ? "days" : "days within the last " + kept) + " instead");
    }

    private static void checkVisitors(StatsQuery query, List<TimeGroup> groups, CommitRecord commit, long now, ZoneId zone) {
        long margin = Tiling.EXPIRY_MARGIN.toSeconds();
        for (TimeGroup group : groups) {
            if (!Period.wholeDays(group.start(), group.end(), zone)) {
                String metric = "metrics/" + query.metrics().indexOf(Metric.VISITORS);
                throw new QueryException(metric, "visitors are counted per day of the reporting time zone (" + zone.getId()
                        + "): ask for them over whole days (day, 7d, month, a range of dates) without a time dimension "
                        + "or with time:day; pageviews can be had per minute or hour");
            }
            List<LocalDate> days = days(group, zone);
            boolean estimate = days.size() > 1 || query.filter().isPresent() && !query.byPage();
            for (LocalDate day : days) {
                long dayEnd = day.plusDays(1).atStartOfDay(zone).toEpochSecond();
                if (dayEnd + commit.retention().day().toSeconds() <= now + margin) {
                    throw new QueryException("date_range", "visitors of " + day + " are gone: days are kept for "
                            + days(commit.retention().day()) + " (the job's --day-retention)");
                }
                if (estimate && dayEnd + commit.retention().visitorEstimate().toSeconds() <= now + margin) {
                    throw new QueryException("date_range", "visitors over several days (or pages) are estimated from each "
                            + "day's HyperLogLog, kept for " + days(commit.retention().visitorEstimate()) + " (the job's "
                            + "--visitor-estimate-retention), and the one of " + day + " is gone; ask for a range within the "
                            + "last " + days(commit.retention().visitorEstimate()) + ", or for time:day (exact per day)");
                }
            }
        }
    }

    private static List<LocalDate> days(TimeGroup group, ZoneId zone) {
        return Period.localDate(group.start(), zone).datesUntil(Period.localDate(group.end() - 1, zone).plusDays(1)).toList();
    }

    private static String days(Duration duration) {
        return duration.toHours() % 24 == 0 ? duration.toDays() + "d" : duration.toHours() + "h";
    }

    private static List<StatsQuery.Order> order(StatsQuery query) {
        if (!query.orderBy().isEmpty()) {
            return query.orderBy();
        }
        List<StatsQuery.Order> order = new ArrayList<>();
        query.timeDimension().ifPresent(d -> order.add(new StatsQuery.Order(d.apiName(), false)));
        order.add(new StatsQuery.Order(query.metrics().get(0).apiName(), true));
        return order;
    }

    private ObjectNode echo(StatsQuery query, Period period, List<StatsQuery.Order> order) {
        ObjectNode echo = json.createObjectNode();
        echo.put("site_id", query.siteId());
        ArrayNode metrics = echo.putArray("metrics");
        query.metrics().forEach(m -> metrics.add(m.apiName()));
        ArrayNode range = echo.putArray("date_range");
        period.echo().forEach(range::add);
        echo.set("filters", query.filtersJson().deepCopy());
        ArrayNode dimensions = echo.putArray("dimensions");
        query.dimensions().forEach(d -> dimensions.add(d.apiName()));
        ArrayNode orderBy = echo.putArray("order_by");
        order.forEach(o -> orderBy.addArray().add(o.name()).add(o.descending() ? "desc" : "asc"));
        ObjectNode include = echo.putObject("include");
        if (query.include().imports()) {
            include.put("imports", true);
        }
        if (query.include().timeLabels()) {
            include.put("time_labels", true);
        }
        if (query.include().totalRows()) {
            include.put("total_rows", true);
        }
        ObjectNode pagination = echo.putObject("pagination");
        pagination.put("limit", query.limit());
        pagination.put("offset", query.offset());
        return echo;
    }

    /** A row before sorting: its group, page (or null), views, and visitors once known. */
    private static final class Draft {
        final TimeGroup group;
        final String page;
        final long views;
        Long visitors;
        boolean estimated;
        boolean clamped;

        Draft(TimeGroup group, String page, long views) {
            this.group = group;
            this.page = page;
            this.views = views;
        }
    }

    private Answer compute(Prepared p) {
        StatsQuery query = p.query();
        boolean pages = query.byPage() || query.filter().isPresent();
        ReadBatch views = new ReadBatch();
        List<ReadBatch.Result<Map<String, Long>>> pageViews = new ArrayList<>();
        List<List<ReadBatch.Result<Long>>> totals = new ArrayList<>();
        for (List<Bucket> cover : p.covers()) {
            if (pages) {
                pageViews.add(views.pages(cover));
            } else {
                totals.add(cover.stream().map(views::total).toList());
            }
        }
        CommitRecord commit = views.isEmpty() ? p.commit() : store.read(views);
        if (commit.seq() != p.commit().seq()) {
            throw new CommitMovedOn(); // the retentions or time zone the plan was made with may have changed
        }
        long otherViews = 0;
        List<Draft> drafts = new ArrayList<>();
        Map<TimeGroup, List<String>> matchedPages = new LinkedHashMap<>();
        for (int g = 0; g < p.groups().size(); g++) {
            TimeGroup group = p.groups().get(g);
            if (pages) {
                long filtered = 0;
                List<String> matched = new ArrayList<>();
                for (Map.Entry<String, Long> entry : pageViews.get(g).get().entrySet()) {
                    String page = entry.getKey();
                    long count = entry.getValue();
                    if (count <= 0) {
                        continue;
                    }
                    if (query.filter().isPresent()) {
                        if (Layout.reserved(page)) {
                            otherViews += count; // not a page: no filter can tell which pages these views were of
                            continue;
                        }
                        if (!query.filter().get().test(page)) {
                            continue;
                        }
                    }
                    matched.add(page);
                    filtered += count;
                    if (query.byPage()) {
                        drafts.add(new Draft(group, page, count));
                    }
                }
                matchedPages.put(group, matched);
                if (!query.byPage() && (filtered > 0 || group.label() == null)) {
                    drafts.add(new Draft(group, null, filtered));
                }
            } else {
                long sum = totals.get(g).stream().mapToLong(ReadBatch.Result::get).sum();
                if (sum > 0 || group.label() == null) {
                    drafts.add(new Draft(group, null, sum));
                }
            }
        }
        Comparator<Draft> order = comparator(p.order(), query);
        boolean visitorsNeeded = query.metrics().contains(Metric.VISITORS);
        boolean orderNeedsVisitors = p.order().stream().anyMatch(o -> o.name().equals(Metric.VISITORS.apiName()));
        List<Draft> shown;
        if (visitorsNeeded && orderNeedsVisitors) {
            visitors(p, drafts, matchedPages, commit);
            drafts.sort(order);
            shown = page(drafts, query);
        } else {
            drafts.sort(order);
            shown = page(drafts, query);
            if (visitorsNeeded) {
                visitors(p, shown, matchedPages, commit);
            }
        }
        List<Answer.Row> rows = new ArrayList<>();
        for (Draft d : shown) {
            List<String> dims = new ArrayList<>();
            for (Dimension dimension : query.dimensions()) {
                dims.add(dimension == Dimension.PAGE ? d.page : d.group.label());
            }
            List<Long> values = new ArrayList<>();
            for (Metric metric : query.metrics()) {
                values.add(metric == Metric.PAGEVIEWS ? Long.valueOf(d.views) : d.visitors);
            }
            rows.add(new Answer.Row(dims, values));
        }
        ObjectNode meta = meta(p, commit, drafts, otherViews);
        return new Answer(commit, query.dimensions().stream().map(Dimension::apiName).toList(),
                query.metrics().stream().map(Metric::apiName).toList(), rows, meta, p.echo());
    }

    private static List<Draft> page(List<Draft> drafts, StatsQuery query) {
        int from = (int) Math.min(drafts.size(), (long) query.offset());
        int to = (int) Math.min(drafts.size(), (long) from + query.limit());
        return new ArrayList<>(drafts.subList(from, to));
    }

    /** Fills in the visitors of {@code drafts}: exact for one day and one page (or the site), else estimated and bounded. */
    private void visitors(Prepared p, List<Draft> drafts, Map<TimeGroup, List<String>> matchedPages, CommitRecord seen) {
        StatsQuery query = p.query();
        ZoneId zone = p.period().zone();
        ReadBatch batch = new ReadBatch();
        List<Runnable> fill = new ArrayList<>();
        for (Draft d : drafts) {
            List<LocalDate> days = days(d.group, zone);
            List<String> who;
            if (query.byPage()) {
                if (Layout.reserved(d.page)) {
                    continue; // no visitors are kept for pages beyond the page budget: null, and a warning in meta
                }
                who = List.of(d.page);
            } else if (query.filter().isPresent()) {
                who = matchedPages.get(d.group);
            } else {
                who = List.of(Layout.TOTAL);
            }
            if (who.isEmpty()) {
                d.visitors = 0L;
                continue;
            }
            List<ReadBatch.Result<Map<String, Long>>> daily = new ArrayList<>();
            days.forEach(day -> daily.add(batch.dayVisitors(day, who)));
            if (days.size() == 1 && who.size() == 1) {
                fill.add(() -> d.visitors = daily.get(0).get().getOrDefault(who.get(0), 0L));
                continue;
            }
            ReadBatch.Result<Long> estimate = batch.estimate(days, who.equals(List.of(Layout.TOTAL)) ? List.of() : who);
            fill.add(() -> {
                long atLeast = 0;
                long sum = 0;
                for (ReadBatch.Result<Map<String, Long>> day : daily) {
                    for (long exact : day.get().values()) {
                        atLeast = Math.max(atLeast, exact);
                        sum += exact;
                    }
                }
                long atMost = Math.min(sum, d.views);
                long value = estimate.get();
                long bounded = Math.max(Math.min(value, atMost), Math.min(atLeast, atMost));
                d.estimated = true;
                d.clamped = bounded != value;
                d.visitors = bounded;
            });
        }
        if (!batch.isEmpty()) {
            CommitRecord commit = store.read(batch);
            if (commit.seq() != seen.seq()) {
                throw new CommitMovedOn(); // visitors and views must reflect the same commit
            }
        }
        fill.forEach(Runnable::run);
    }

    private static Comparator<Draft> comparator(List<StatsQuery.Order> order, StatsQuery query) {
        Comparator<Draft> byTime = Comparator.comparingLong(d -> d.group.bucketStart());
        Comparator<Draft> byPage = Comparator.comparing(d -> d.page == null ? "" : d.page);
        Comparator<Draft> all = null;
        for (StatsQuery.Order o : order) {
            Comparator<Draft> one;
            if (o.name().equals(Metric.PAGEVIEWS.apiName())) {
                one = Comparator.comparingLong(d -> d.views);
            } else if (o.name().equals(Metric.VISITORS.apiName())) {
                one = Comparator.comparing(d -> d.visitors, Comparator.nullsFirst(Comparator.naturalOrder()));
            } else if (o.name().equals(Dimension.PAGE.apiName())) {
                one = byPage;
            } else {
                one = byTime;
            }
            one = o.descending() ? one.reversed() : one;
            all = all == null ? one : all.thenComparing(one);
        }
        Comparator<Draft> ties = query.timeDimension().isPresent() ? byTime.thenComparing(byPage) : byPage;
        return all == null ? ties : all.thenComparing(ties);
    }

    private ObjectNode meta(Prepared p, CommitRecord commit, List<Draft> all, long otherViews) {
        StatsQuery query = p.query();
        Map<String, Object> meta = new TreeMap<>(); // Plausible writes meta's keys in alphabetical order
        ObjectNode out = json.createObjectNode();
        meta.put("seq", commit.seq());
        meta.put("watermark", commit.watermarkMillis().isPresent()
                ? Instant.ofEpochMilli(commit.watermarkMillis().getAsLong()).toString() : null);
        meta.put("committed_at", commit.committedAtMillis().isPresent()
                ? Instant.ofEpochMilli(commit.committedAtMillis().getAsLong()).toString() : null);
        meta.put("time_zone", p.period().zone().getId());
        meta.put("final", commit.finalUntil(p.period().to()));
        if (p.granularity() != null) {
            List<String> notFinal = p.groups().stream().filter(g -> !commit.finalUntil(g.bucketEnd())).map(TimeGroup::label).toList();
            meta.put("not_final_time_labels", notFinal);
        }
        if (query.include().timeLabels()) {
            meta.put("time_labels", p.groups().stream().map(TimeGroup::label).toList());
        }
        if (query.include().totalRows()) {
            meta.put("total_rows", all.size());
        }
        if (query.include().imports()) {
            meta.put("imports_included", false);
        }
        boolean estimated = false;
        boolean clamped = false;
        boolean other = false;
        if (query.metrics().contains(Metric.VISITORS)) {
            for (Draft d : all) {
                estimated |= d.estimated;
                clamped |= d.clamped;
                other |= query.byPage() && Layout.reserved(d.page);
            }
        }
        List<String> estimates = estimated ? List.of(Metric.VISITORS.apiName()) : List.of();
        meta.put("estimated_metrics", estimates);
        if (estimated) {
            meta.put("standard_error", Map.of(Metric.VISITORS.apiName(), VISITOR_ESTIMATE_ERROR));
        }
        Map<String, Map<String, String>> warnings = new TreeMap<>();
        List<String> visitorWarnings = new ArrayList<>();
        String code = null;
        if (clamped) {
            code = "estimate_bounded";
            visitorWarnings.add("Some visitor estimates were moved into the bounds the exact daily figures set: at least "
                    + "the most visitors of one day, at most the sum of the days' visitors and at most the views.");
        }
        if (other) {
            code = code == null ? "no_visitors_beyond_page_budget" : code;
            visitorWarnings.add("Visitors of (other), the pages beyond the job's page budget, are not kept: null.");
        }
        if (code != null) {
            warnings.put(Metric.VISITORS.apiName(), warning(code, String.join(" ", visitorWarnings)));
        }
        if (otherViews > 0 && query.metrics().contains(Metric.PAGEVIEWS)) {
            warnings.put(Metric.PAGEVIEWS.apiName(), warning("pages_beyond_budget_not_filtered", otherViews
                    + " views of pages beyond the job's page budget are counted under (other) and match no page filter."));
        }
        if (!warnings.isEmpty()) {
            meta.put("metric_warnings", warnings);
        }
        meta.forEach((key, value) -> out.set(key, json.valueToTree(value)));
        return out;
    }

    /** A {@code metric_warnings} entry as Plausible writes one: {@code code}, then {@code warning}. */
    private static Map<String, String> warning(String code, String text) {
        Map<String, String> warning = new LinkedHashMap<>();
        warning.put("code", code);
        warning.put("warning", text);
        return warning;
    }
}
