package dev.pageviews.read.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pageviews.read.ReadService;
import dev.pageviews.read.store.FakeStatsStore;
import dev.pageviews.read.store.LayoutFixture;
import dev.pageviews.read.store.Retention;
import dev.pageviews.read.store.StatsStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The query runner over a fixture in the job's layout (in memory): every answer equals a tally made straight from the
 * views, at each granularity, and says what it cannot answer.
 */
class QueryRunnerTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final Instant NOW = Instant.parse("2026-12-07T10:30:15Z"); // 11:30:15 in Berlin
    static final List<String> PAGES = List.of("/", "/pricing", "/blog/a", "/blog/b", "/docs/Intro");

    private final ObjectMapper json = ReadService.json();
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private LayoutFixture fixture;
    private FakeStatsStore store;
    private Tally tally;

    /** 4,000 views over the last 10 days by 300 users, seeded. */
    @BeforeEach
    void views() {
        fixture = new LayoutFixture("page_views", BERLIN);
        Random random = new Random(30);
        long now = NOW.getEpochSecond();
        for (int i = 0; i < 4000; i++) {
            long at = now - random.nextInt(10 * 86400);
            if (i % 10 == 0) {
                at = now - random.nextInt(3600); // plenty in the last hour, for minutes
            }
            fixture.view(PAGES.get(random.nextInt(PAGES.size())), "u" + random.nextInt(300), Instant.ofEpochSecond(at));
        }
        store = new FakeStatsStore(fixture, clock).watermark((now - 5) * 1000);
        tally = new Tally(fixture.views());
    }

    private Answer run(String body) {
        QueryRunner runner = new QueryRunner(store, clock, Duration.ofDays(732), json);
        return runner.answer(runner.prepare(parse(body)));
    }

    private StatsQuery parse(String body) {
        try {
            return new QueryParser("localhost", 10_000).parse(json.readTree(body));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String query(String metrics, String range, String more) {
        return "{\"site_id\":\"localhost\",\"metrics\":" + metrics + ",\"date_range\":" + range + (more.isEmpty() ? "" : "," + more) + "}";
    }

    private static long at(String local) {
        return LocalDateTime.parse(local).atZone(BERLIN).toEpochSecond();
    }

    private static long today() {
        return LocalDate.ofInstant(NOW, BERLIN).atStartOfDay(BERLIN).toEpochSecond();
    }

    @Test
    void todaysViewsAndVisitorsAreExactAndEqualTheTally() {
        Answer answer = run(query("[\"pageviews\",\"visitors\"]", "\"day\"", ""));
        long from = today();
        long to = from + 86400;
        assertThat(answer.rows()).hasSize(1);
        assertThat(answer.rows().get(0).metrics()).containsExactly(tally.views(from, to), tally.visitors(from, to, p -> true));
        assertThat(answer.meta().get("estimated_metrics")).isEmpty();
        assertThat(answer.meta().get("seq").asLong()).isEqualTo(1);
        assertThat(answer.query().get("date_range").toString())
                .isEqualTo("[\"2026-12-07T00:00:00+01:00\",\"2026-12-07T23:59:59+01:00\"]");
    }

    @Test
    void eachMinuteOfTheLast30EqualsTheTallyAndTheyAddUpToTheWhole() {
        Answer minutes = run(query("[\"pageviews\"]", "\"30m\"", "\"dimensions\":[\"time:minute\"],\"include\":{\"time_labels\":true}"));
        long lastMinute = NOW.getEpochSecond() / 60 * 60;
        long sum = 0;
        Map<String, Long> expected = new TreeMap<>();
        for (long m = lastMinute - 29 * 60; m <= lastMinute; m += 60) {
            long views = tally.views(m, m + 60);
            if (views > 0) {
                expected.put(LocalDateTime.ofInstant(Instant.ofEpochSecond(m), BERLIN).toString().replace('T', ' ') + ":00", views);
            }
        }
        Map<String, Long> got = new TreeMap<>();
        for (Answer.Row row : minutes.rows()) {
            got.put(row.dimensions().get(0), row.metrics().get(0));
            sum += row.metrics().get(0);
        }
        assertThat(got).isEqualTo(expected);
        assertThat(minutes.meta().get("time_labels")).hasSize(30);
        Answer whole = run(query("[\"pageviews\"]", "\"30m\"", ""));
        assertThat(whole.rows().get(0).metrics().get(0)).isEqualTo(sum).isEqualTo(tally.views(lastMinute - 29 * 60, lastMinute + 60));
    }

    @Test
    void theMinutesOfTodayAddUpToTodayAndTheHoursToo() {
        long from = today();
        String range = "[\"2026-12-07T00:00:00+01:00\",\"2026-12-07T23:59:59+01:00\"]";
        long minutes = run(query("[\"pageviews\"]", range, "\"dimensions\":[\"time:minute\"]")).rows().stream()
                .mapToLong(r -> r.metrics().get(0)).sum();
        long hours = run(query("[\"pageviews\"]", range, "\"dimensions\":[\"time:hour\"]")).rows().stream()
                .mapToLong(r -> r.metrics().get(0)).sum();
        long day = run(query("[\"pageviews\"]", "\"day\"", "")).rows().get(0).metrics().get(0);
        assertThat(minutes).isEqualTo(hours).isEqualTo(day).isEqualTo(tally.views(from, from + 86400));
    }

    @Test
    void eachHourOfADayEqualsTheTally() {
        Answer hours = run(query("[\"pageviews\"]", "[\"2026-12-03\",\"2026-12-03\"]", "\"dimensions\":[\"time:hour\"]"));
        for (Answer.Row row : hours.rows()) {
            long start = at(row.dimensions().get(0).replace(' ', 'T'));
            assertThat(row.metrics().get(0)).as(row.dimensions().get(0)).isEqualTo(tally.views(start, start + 3600));
        }
        assertThat(hours.rows()).hasSizeBetween(20, 24);
        assertThat(hours.query().get("order_by").toString()).isEqualTo("[[\"time:hour\",\"asc\"],[\"pageviews\",\"desc\"]]");
    }

    @Test
    void eachDayHasItsExactViewsAndVisitors() {
        Answer days = run(query("[\"visitors\",\"pageviews\"]", "\"7d\"", "\"dimensions\":[\"time:day\"]"));
        assertThat(days.rows()).hasSize(7);
        LocalDate first = LocalDate.of(2026, 11, 30);
        for (int i = 0; i < 7; i++) {
            LocalDate date = first.plusDays(i);
            long from = date.atStartOfDay(BERLIN).toEpochSecond();
            long to = date.plusDays(1).atStartOfDay(BERLIN).toEpochSecond();
            assertThat(days.rows().get(i).dimensions()).containsExactly(date.toString());
            assertThat(days.rows().get(i).metrics()).containsExactly(tally.visitors(from, to, p -> true), tally.views(from, to));
        }
        assertThat(days.meta().get("estimated_metrics")).isEmpty();
    }

    @Test
    void visitorsOverSeveralDaysAreTheUnionEstimateNotASumAndSaySo() {
        Answer week = run(query("[\"visitors\",\"pageviews\"]", "\"7d\"", ""));
        long from = LocalDate.of(2026, 11, 30).atStartOfDay(BERLIN).toEpochSecond();
        long to = today();
        long distinct = tally.visitors(from, to, p -> true);
        assertThat(week.rows().get(0).metrics()).containsExactly(distinct, tally.views(from, to));
        long sumOfDays = 0;
        for (long d = from; d < to; d += 86400) {
            sumOfDays += tally.visitors(d, d + 86400, p -> true);
        }
        assertThat(distinct).isLessThan(sumOfDays); // so a sum of daily figures would be caught
        assertThat(week.meta().get("estimated_metrics").toString()).isEqualTo("[\"visitors\"]");
        assertThat(week.meta().get("standard_error").get("visitors").asDouble()).isEqualTo(0.0081);
        assertThat(week.meta().has("metric_warnings")).isFalse();
    }

    @Test
    void anEstimateOutsideTheExactBoundsIsMovedIntoThemAndSaysSo() {
        long from = LocalDate.of(2026, 11, 30).atStartOfDay(BERLIN).toEpochSecond();
        long to = today();
        long sumOfDays = 0;
        long mostOfOneDay = 0;
        for (long d = from; d < to; d += 86400) {
            long day = tally.visitors(d, d + 86400, p -> true);
            sumOfDays += day;
            mostOfOneDay = Math.max(mostOfOneDay, day);
        }
        store.estimatesOffBy(10);
        Answer high = run(query("[\"visitors\"]", "\"7d\"", ""));
        assertThat(high.rows().get(0).metrics().get(0)).isEqualTo(Math.min(sumOfDays, tally.views(from, to)));
        assertThat(high.meta().get("metric_warnings").get("visitors").get("code").asText()).isEqualTo("estimate_bounded");
        store.estimatesOffBy(0.01);
        Answer low = run(query("[\"visitors\"]", "\"7d\"", ""));
        assertThat(low.rows().get(0).metrics().get(0)).isEqualTo(mostOfOneDay);
    }

    @Test
    void aPagesVisitorsAreAtMostItsViews() {
        store.estimatesOffBy(100);
        Answer pages = run(query("[\"visitors\",\"pageviews\"]", "\"7d\"", "\"dimensions\":[\"event:page\"]"));
        assertThat(pages.rows()).isNotEmpty();
        for (Answer.Row row : pages.rows()) {
            assertThat(row.metrics().get(0)).isLessThanOrEqualTo(row.metrics().get(1));
        }
    }

    @Test
    void topPagesAreOrderedAndPaginatedWithTheirTotal() {
        Answer top = run(query("[\"pageviews\"]", "\"7d\"",
                "\"dimensions\":[\"event:page\"],\"pagination\":{\"limit\":2,\"offset\":1},\"include\":{\"total_rows\":true}"));
        long from = LocalDate.of(2026, 11, 30).atStartOfDay(BERLIN).toEpochSecond();
        List<Map.Entry<String, Long>> expected = new ArrayList<>(tally.viewsByPage(from, today()).entrySet());
        expected.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        assertThat(top.rows()).hasSize(2);
        assertThat(top.rows().get(0).dimensions()).containsExactly(expected.get(1).getKey());
        assertThat(top.rows().get(0).metrics()).containsExactly(expected.get(1).getValue());
        assertThat(top.rows().get(1).dimensions()).containsExactly(expected.get(2).getKey());
        assertThat(top.meta().get("total_rows").asInt()).isEqualTo(PAGES.size());
        assertThat(top.query().get("pagination").toString()).isEqualTo("{\"limit\":2,\"offset\":1}");
    }

    @Test
    void pageFiltersCountOnlyTheirPages() {
        long from = today();
        long to = from + 86400;
        Answer blog = run(query("[\"pageviews\",\"visitors\"]", "\"day\"", "\"filters\":[[\"contains\",\"event:page\",[\"/blog\"]]]"));
        assertThat(blog.rows().get(0).metrics()).containsExactly(tally.views(from, to, p -> p.contains("/blog")),
                tally.visitors(from, to, p -> p.contains("/blog")));
        assertThat(blog.meta().get("estimated_metrics").toString()).isEqualTo("[\"visitors\"]"); // two pages: a union
        Answer one = run(query("[\"pageviews\",\"visitors\"]", "\"day\"", "\"filters\":[[\"is\",\"event:page\",[\"/pricing\"]]]"));
        assertThat(one.rows().get(0).metrics()).containsExactly(tally.views(from, to, "/pricing"::equals),
                tally.visitors(from, to, "/pricing"::equals));
        assertThat(one.meta().get("estimated_metrics")).isEmpty();
        Answer not = run(query("[\"pageviews\"]", "\"day\"",
                "\"filters\":[[\"not\",[\"contains\",\"event:page\",[\"DOCS\"],{\"case_sensitive\":false}]]]"));
        assertThat(not.rows().get(0).metrics()).containsExactly(tally.views(from, to, p -> !p.contains("/docs")));
    }

    @Test
    void realtimeIsTheLastFiveMinutes() {
        long lastMinute = NOW.getEpochSecond() / 60 * 60;
        Answer realtime = run(query("[\"pageviews\"]", "\"realtime\"", "\"dimensions\":[\"time\"],\"include\":{\"time_labels\":true}"));
        assertThat(realtime.meta().get("time_labels")).hasSize(5);
        assertThat(realtime.rows().stream().mapToLong(r -> r.metrics().get(0)).sum())
                .isEqualTo(tally.views(lastMinute - 240, lastMinute + 60));
        assertThat(realtime.meta().get("not_final_time_labels").toString()).contains("11:30:00"); // watermark 10:30:10Z
        assertThat(realtime.meta().get("final").asBoolean()).isFalse();
    }

    @Test
    void allStartsAtTheFirstDayWithViews() {
        Answer all = run(query("[\"pageviews\"]", "\"all\"", ""));
        assertThat(all.query().get("date_range").get(0).asText()).isEqualTo("2026-11-27T00:00:00+01:00");
        assertThat(all.rows().get(0).metrics().get(0)).isEqualTo(fixture.views().size());
    }

    @Test
    void minutesPastTheirRetentionAreNeverAnsweredAsZero() {
        assertThatThrownBy(() -> run(query("[\"pageviews\"]", "[\"2026-12-02\",\"2026-12-02\"]", "\"dimensions\":[\"time:minute\"]")))
                .isInstanceOf(QueryException.class).hasMessageStartingWith("#/dimensions: time:minute buckets are kept for 2d");
        assertThatThrownBy(() -> run(query("[\"pageviews\"]", "[\"2026-12-02T10:15:00+01:00\",\"2026-12-02T12:00:00+01:00\"]", "")))
                .isInstanceOf(QueryException.class).hasMessageStartingWith("#/date_range: the range needs the minute bucket");
        // whole hours of the same day are answered from hour buckets
        Answer hours = run(query("[\"pageviews\"]", "[\"2026-12-02T10:00:00+01:00\",\"2026-12-02T11:59:59+01:00\"]", ""));
        assertThat(hours.rows().get(0).metrics().get(0)).isEqualTo(tally.views(at("2026-12-02T10:00"), at("2026-12-02T12:00")));
    }

    @Test
    void visitorsOfPartOfADayAreNotAnswered() {
        assertThatThrownBy(() -> run(query("[\"pageviews\",\"visitors\"]", "\"24h\"", "")))
                .isInstanceOf(QueryException.class).hasMessageStartingWith("#/metrics/1: visitors are counted per day");
        assertThatThrownBy(() -> run(query("[\"visitors\"]", "\"day\"", "\"dimensions\":[\"time:hour\"]")))
                .isInstanceOf(QueryException.class).hasMessageStartingWith("#/metrics/0: visitors are counted per day");
    }

    @Test
    void aCommitLandingMidQueryIsReadAgainNeverMixed() {
        store.moveDuringReads(1);
        Answer answer = run(query("[\"pageviews\"]", "\"day\"", ""));
        assertThat(answer.commit().seq()).isEqualTo(2);
        assertThat(store.reads()).isEqualTo(2);
        store.moveDuringReads(10);
        assertThatThrownBy(() -> run(query("[\"pageviews\"]", "\"day\"", ""))).isInstanceOf(StatsStore.CommitMoved.class);
    }

    @Test
    void theEtagFollowsTheQueryAndTheCommit() {
        QueryRunner runner = new QueryRunner(store, clock, Duration.ofDays(732), json);
        String day = runner.prepare(parse(query("[\"pageviews\"]", "\"day\"", ""))).etag("json");
        assertThat(runner.prepare(parse(query("[\"pageviews\"]", "\"day\"", ""))).etag("json")).isEqualTo(day);
        assertThat(runner.prepare(parse(query("[\"pageviews\"]", "\"day\"", ""))).etag("csv")).isNotEqualTo(day);
        assertThat(runner.prepare(parse(query("[\"pageviews\"]", "\"7d\"", ""))).etag("json")).isNotEqualTo(day);
        store.moveDuringReads(1);
        runner.answer(runner.prepare(parse(query("[\"pageviews\"]", "\"7d\"", ""))));
        assertThat(runner.prepare(parse(query("[\"pageviews\"]", "\"day\"", ""))).etag("json")).isNotEqualTo(day);
    }

    @Test
    void pagesBeyondTheBudgetAreOneRowWithoutVisitors() {
        fixture = new LayoutFixture("page_views", BERLIN, Retention.DEFAULTS, 2);
        long noon = at("2026-12-07T11:00");
        fixture.view("/a", "u1", Instant.ofEpochSecond(noon)).view("/b", "u1", Instant.ofEpochSecond(noon + 1))
                .view("/c", "u2", Instant.ofEpochSecond(noon + 2)).view("/d", "u3", Instant.ofEpochSecond(noon + 3));
        store = new FakeStatsStore(fixture, clock);
        Answer pages = run(query("[\"pageviews\",\"visitors\"]", "\"day\"", "\"dimensions\":[\"event:page\"]"));
        assertThat(pages.rows()).extracting(r -> r.dimensions().get(0) + "=" + r.metrics())
                .containsExactly("(other)=[2, null]", "/a=[1, 1]", "/b=[1, 1]");
        assertThat(pages.meta().get("metric_warnings").get("visitors").get("code").asText())
                .isEqualTo("no_visitors_beyond_page_budget");
        Answer site = run(query("[\"pageviews\",\"visitors\"]", "\"day\"", ""));
        assertThat(site.rows().get(0).metrics()).containsExactly(4L, 3L);
        Answer filtered = run(query("[\"pageviews\"]", "\"day\"", "\"filters\":[[\"contains\",\"event:page\",[\"/\"]]]"));
        assertThat(filtered.rows().get(0).metrics()).containsExactly(2L);
        assertThat(filtered.meta().get("metric_warnings").get("pageviews").get("code").asText())
                .isEqualTo("pages_beyond_budget_not_filtered");
    }

    @Test
    void aDstDayHas25HourBucketsAndTheyAddUpToIt() {
        Clock after = Clock.fixed(Instant.parse("2025-10-27T12:00:00Z"), ZoneOffset.UTC);
        fixture = new LayoutFixture("page_views", BERLIN);
        long start = LocalDate.of(2025, 10, 26).atStartOfDay(BERLIN).toEpochSecond();
        for (int h = 0; h < 25; h++) {
            for (int v = 0; v <= h; v++) {
                fixture.view("/p", "u" + v, Instant.ofEpochSecond(start + h * 3600L + v));
            }
        }
        store = new FakeStatsStore(fixture, after);
        QueryRunner runner = new QueryRunner(store, after, Duration.ofDays(732), json);
        Answer hours = runner.answer(runner.prepare(parse(query("[\"pageviews\"]", "[\"2025-10-26\",\"2025-10-26\"]",
                "\"dimensions\":[\"time:hour\"],\"include\":{\"time_labels\":true}"))));
        assertThat(hours.rows()).hasSize(25);
        assertThat(hours.meta().get("time_labels").toString()).contains("\"2025-10-26 02:00:00\",\"2025-10-26 02:00:00\"");
        assertThat(hours.rows().get(2).metrics().get(0)).isEqualTo(3);
        assertThat(hours.rows().get(3).metrics().get(0)).isEqualTo(4); // the repeated 02:00, an hour later
        Answer day = runner.answer(runner.prepare(parse(query("[\"pageviews\"]", "[\"2025-10-26\",\"2025-10-26\"]", ""))));
        assertThat(day.rows().get(0).metrics().get(0)).isEqualTo(25 * 26 / 2).isEqualTo(fixture.views().size());
        assertThat(day.query().get("date_range").toString())
                .isEqualTo("[\"2025-10-26T00:00:00+02:00\",\"2025-10-26T23:59:59+01:00\"]");
    }

    @Test
    void theAnswerHasPlausiblesShape() throws Exception {
        Answer answer = run(query("[\"pageviews\"]", "\"day\"", "\"dimensions\":[\"event:page\"],\"pagination\":{\"limit\":1}"));
        JsonNode body = answer.toJson(json);
        assertThat(body.fieldNames()).toIterable().containsExactly("results", "meta", "query");
        assertThat(body.get("results").get(0).fieldNames()).toIterable().containsExactly("metrics", "dimensions");
        assertThat(body.get("query").fieldNames()).toIterable()
                .containsExactly("site_id", "metrics", "date_range", "filters", "dimensions", "order_by", "include", "pagination");
        assertThat(answer.toCsv()).startsWith("event:page,pageviews\r\n");
    }
}
