package dev.pageviews.read.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pageviews.read.ReadService;
import dev.pageviews.read.store.FakeStatsStore;
import dev.pageviews.read.store.LayoutFixture;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every parameter's errors name it; any JSON at all is a query or a 400, never another exception. */
class QueryParserTest {

    private final ObjectMapper json = ReadService.json();
    private final QueryParser parser = new QueryParser("example.com", 500);

    private StatsQuery parse(String body) throws Exception {
        return parser.parse(json.readTree(body));
    }

    @Test
    void aFullQueryParses() throws Exception {
        StatsQuery q = parse("{\"site_id\":\"example.com\",\"metrics\":[\"visitors\",\"pageviews\"],\"date_range\":\"7d\","
                + "\"dimensions\":[\"event:page\",\"time:day\"],\"filters\":[[\"is\",\"event:page\",[\"/a\",\"/b\"]]],"
                + "\"order_by\":[[\"pageviews\",\"asc\"]],\"include\":{\"time_labels\":true,\"total_rows\":true},"
                + "\"pagination\":{\"limit\":50,\"offset\":10}}");
        assertThat(q.metrics()).containsExactly(Metric.VISITORS, Metric.PAGEVIEWS);
        assertThat(q.dateRange()).isEqualTo(new DateRangeSpec.Named("7d"));
        assertThat(q.dimensions()).containsExactly(Dimension.PAGE, Dimension.TIME_DAY);
        assertThat(q.filter().orElseThrow().test("/a")).isTrue();
        assertThat(q.filter().orElseThrow().test("/c")).isFalse();
        assertThat(q.orderBy()).containsExactly(new StatsQuery.Order("pageviews", false));
        assertThat(q.include()).isEqualTo(new StatsQuery.Include(true, true, false));
        assertThat(q.limit()).isEqualTo(50);
        assertThat(q.offset()).isEqualTo(10);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not an object                 | []                                                                     | #/: the body must be a JSON object
            missing site_id               | {"metrics":["pageviews"],"date_range":"day"}                           | #/site_id: Missing site ID
            another site                  | {"site_id":"other.com","metrics":["pageviews"],"date_range":"day"}     | #/site_id: this service answers site_id "example.com" only
            unknown key                   | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","x":1} | #/x: unknown parameter 'x'
            no metrics                    | {"site_id":"example.com","date_range":"day"}                           | #/metrics: a non-empty list
            empty metrics                 | {"site_id":"example.com","metrics":[],"date_range":"day"}              | #/metrics: a non-empty list
            plausible metric              | {"site_id":"example.com","metrics":["pageviews","bounce_rate"],"date_range":"day"} | #/metrics/1: metric 'bounce_rate' is not in this data
            unknown metric                | {"site_id":"example.com","metrics":[7],"date_range":"day"}             | #/metrics/0: unknown metric 7
            metric twice                  | {"site_id":"example.com","metrics":["visitors","visitors"],"date_range":"day"} | #/metrics/1: metric 'visitors' is listed twice
            no date_range                 | {"site_id":"example.com","metrics":["pageviews"]}                      | #/date_range: date_range is required
            unknown date_range            | {"site_id":"example.com","metrics":["pageviews"],"date_range":"week"}  | #/date_range: unknown date range "week"
            zero days                     | {"site_id":"example.com","metrics":["pageviews"],"date_range":"0d"}    | #/date_range: unknown date range "0d"
            one date                      | {"site_id":"example.com","metrics":["pageviews"],"date_range":["2024-01-01"]} | #/date_range: invalid date range
            bad date                      | {"site_id":"example.com","metrics":["pageviews"],"date_range":["2024-02-30","2024-03-01"]} | #/date_range: invalid date range
            mixed                         | {"site_id":"example.com","metrics":["pageviews"],"date_range":["2024-01-01","2024-01-02T00:00:00Z"]} | #/date_range: invalid date range
            no offset                     | {"site_id":"example.com","metrics":["pageviews"],"date_range":["2024-01-01T10:00:00","2024-01-02T00:00:00"]} | #/date_range: invalid date range
            backwards                     | {"site_id":"example.com","metrics":["pageviews"],"date_range":["2024-01-02","2024-01-01"]} | #/date_range: the range ends (2024-01-01) before it starts
            visit dimension               | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","dimensions":["visit:source"]} | #/dimensions/0: dimension "visit:source" is not in this data
            two time dimensions           | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","dimensions":["time:day","time:hour"]} | #/dimensions/1: at most one time dimension
            dimension twice               | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","dimensions":["event:page","event:page"]} | #/dimensions/1: dimension "event:page" is listed twice
            dimensions not a list         | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","dimensions":"event:page"} | #/dimensions: must be a list
            filters not a list            | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","filters":{}} | #/filters: must be a list of filters
            filter on a visit dimension   | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","filters":[["is","visit:country",["EE"]]]} | #/filters/0/1: filters on "visit:country" are not possible
            regex filter                  | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","filters":[["matches","event:page",["^/a"]]]} | #/filters/0/0: filter operator "matches" is not supported
            empty clauses                 | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","filters":[["is","event:page",[]]]} | #/filters/0/2: the clauses must be a non-empty list
            number clause                 | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","filters":[["is","event:page",[1]]]} | #/filters/0/2/0: a clause must be a string
            bad modifier                  | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","filters":[["is","event:page",["/a"],{"x":1}]]} | #/filters/0/3: the only modifier is
            bad nested filter             | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","filters":[["or",[["is","event:page",["/a"]],["is"]]]]} | #/filters/0/1/1: invalid filter
            order_by not queried          | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","order_by":[["visitors","desc"]]} | #/order_by/0: invalid order_by entry
            order_by bad direction        | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","order_by":[["pageviews","up"]]} | #/order_by/0: invalid order_by entry
            order_by twice                | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","order_by":[["pageviews","asc"],["pageviews","desc"]]} | #/order_by/1: 'pageviews' is ordered by twice
            include unknown               | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","include":{"comparisons":{}}} | #/include/comparisons: include.comparisons is not supported
            include not boolean           | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","include":{"total_rows":1}} | #/include/total_rows: must be true or false
            time labels without time      | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","include":{"time_labels":true}} | #/include/time_labels: time_labels needs a time dimension
            limit too big                 | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","pagination":{"limit":501}} | #/pagination/limit: must be a whole number from 1 to 500
            limit fraction                | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","pagination":{"limit":1.5}} | #/pagination/limit: must be a whole number
            offset negative               | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","pagination":{"offset":-1}} | #/pagination/offset: must be a whole number from 0
            pagination unknown            | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","pagination":{"page":2}} | #/pagination/page: pagination has limit and offset only
            bad date                      | {"site_id":"example.com","metrics":["pageviews"],"date_range":"day","date":"today"} | #/date: must be an ISO date
            """)
    void eachBadParameterIsNamed(String what, String body, String message) {
        assertThatThrownBy(() -> parse(body)).as(what).isInstanceOf(QueryException.class).hasMessageStartingWith(message);
    }

    /**
     * Random JSON, and random changes to a good query: each is a query, or a QueryException, also when the runner
     * goes on to answer it against a fixture; nothing else.
     */
    @Test
    void noBodyGetsAnythingButAQueryOrA400() throws Exception {
        Random random = new Random(7);
        LayoutFixture fixture = new LayoutFixture("page_views", java.time.ZoneId.of("America/New_York"));
        Instant now = Instant.parse("2026-03-08T12:00:00Z");
        for (int i = 0; i < 200; i++) {
            fixture.view("/p" + random.nextInt(20), "u" + random.nextInt(50), now.minusSeconds(random.nextInt(40 * 86400)));
        }
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        QueryRunner runner = new QueryRunner(new FakeStatsStore(fixture, clock), clock, Duration.ofDays(400), json);
        QueryParser site = new QueryParser("localhost", 10_000);
        int answered = 0;
        for (int i = 0; i < 3000; i++) {
            JsonNode body = i % 3 == 0 ? randomJson(random, 0) : mutate(good(random), random);
            try {
                StatsQuery query = site.parse(body);
                runner.answer(runner.prepare(query));
                answered++;
            } catch (QueryException expected) {
                assertThat(expected.getMessage()).startsWith("#/");
            }
        }
        assertThat(answered).isGreaterThan(100); // the mutations leave many queries good
    }

    private static final List<String> WORDS = List.of("site_id", "metrics", "date_range", "dimensions", "filters", "order_by",
            "include", "pagination", "pageviews", "visitors", "event:page", "time", "time:minute", "time:hour", "time:day",
            "is", "contains", "not", "and", "or", "asc", "desc", "day", "7d", "30d", "month", "year", "all", "24h", "30m",
            "realtime", "2026-03-01", "2026-03-08", "2026-03-08T01:59:00-05:00", "2026-03-08T03:00:00-04:00", "localhost",
            "time_labels", "total_rows", "limit", "offset", "/p1", "", "\u0000", "9999-12-31", "0001-01-01", "12mo",
            "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "9999d", "1200mo");

    private static JsonNode randomJson(Random random, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        int kind = depth > 4 ? random.nextInt(5) : random.nextInt(7);
        switch (kind) {
            case 0: return f.textNode(WORDS.get(random.nextInt(WORDS.size())));
            case 1: return f.numberNode(random.nextInt(3) == 0 ? Long.MAX_VALUE : random.nextInt(20) - 5);
            case 2: return f.booleanNode(random.nextBoolean());
            case 3: return f.nullNode();
            case 4: return f.numberNode(random.nextDouble());
            case 5: {
                ArrayNode a = f.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    a.add(randomJson(random, depth + 1));
                }
                return a;
            }
            default: {
                ObjectNode o = f.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    o.set(WORDS.get(random.nextInt(WORDS.size())), randomJson(random, depth + 1));
                }
                return o;
            }
        }
    }

    private JsonNode good(Random random) throws Exception {
        List<String> ranges = List.of("\"day\"", "\"7d\"", "\"30d\"", "\"month\"", "\"all\"", "\"24h\"", "\"30m\"", "\"realtime\"",
                "\"12mo\"", "[\"2026-03-01\",\"2026-03-08\"]", "[\"2026-03-08T01:00:00-05:00\",\"2026-03-08T04:30:00-04:00\"]",
                "[\"2025-01-01\",\"2026-03-08\"]", "[\"2026-03-08T00:00:00Z\",\"+999999999-12-31T23:59:59Z\"]",
                "[\"1970-01-01\",\"9999-12-31\"]");
        List<String> dims = List.of("[]", "[\"event:page\"]", "[\"time\"]", "[\"time:minute\"]", "[\"time:hour\"]",
                "[\"time:day\",\"event:page\"]");
        List<String> metrics = List.of("[\"pageviews\"]", "[\"visitors\"]", "[\"pageviews\",\"visitors\"]");
        return json.readTree("{\"site_id\":\"localhost\",\"metrics\":" + metrics.get(random.nextInt(metrics.size()))
                + ",\"date_range\":" + ranges.get(random.nextInt(ranges.size())) + ",\"dimensions\":"
                + dims.get(random.nextInt(dims.size())) + ",\"filters\":[[\"contains\",\"event:page\",[\"1\"]]]}");
    }

    private static JsonNode mutate(JsonNode good, Random random) {
        ObjectNode body = (ObjectNode) good;
        if (random.nextInt(3) == 0) {
            List<String> fields = List.of("metrics", "date_range", "dimensions", "filters", "site_id", "order_by",
                    "include", "pagination");
            body.set(fields.get(random.nextInt(fields.size())), randomJson(random, 2));
        }
        return body;
    }
}
