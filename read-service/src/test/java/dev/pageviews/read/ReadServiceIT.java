package dev.pageviews.read;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pageviews.read.query.Tally;
import dev.pageviews.read.store.Layout;
import dev.pageviews.read.store.LayoutFixture;
import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;

/**
 * The read service against a real redis-server holding fixture data in the job's layout (LayoutFixture): its answers
 * equal a tally made straight from the views at each granularity, visitors over a range are within the stated error
 * of the true distinct count, and the stream pushes each published commit within a second and catches up a reconnect.
 */
class ReadServiceIT {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final List<String> PAGES = List.of("/", "/pricing", "/blog/one", "/blog/two", "/docs");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RedisServer redis;
    private static ReadService service;
    private static LayoutFixture fixture;
    private static Tally tally;
    private static long now;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start(LocalStackExtension.newWorkDir(), FreePorts.pick(), RedisServer.Persistence.NONE);
        now = System.currentTimeMillis() / 1000;
        fixture = new LayoutFixture("page_views", BERLIN);
        Random random = new Random(30);
        // 20,000 visitors over the last 9 days, two views each on average; a tenth of the views in the last hour
        for (int i = 0; i < 40_000; i++) {
            long at = i % 10 == 0 ? now - 1 - random.nextInt(3600) : now - 1 - random.nextInt(9 * 86400);
            fixture.view(PAGES.get(random.nextInt(PAGES.size())), "u" + random.nextInt(20_000), Instant.ofEpochSecond(at));
        }
        tally = new Tally(fixture.views());
        try (RedisClient client = RedisClient.create(redis.host(), redis.port())) {
            fixture.writeTo(client, 1, (now - 10) * 1000);
            assertThat(fixture.differences(client)).isEmpty();
        }
        service = ReadService.start(ReadConfig.parse(new String[] {"--port", "0", "--redis", redis.uri()}, Map.of()));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static HttpResponse<String> post(String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/api/v2/query"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode query(String metrics, String range, String more) throws Exception {
        HttpResponse<String> response = post("{\"site_id\":\"localhost\",\"metrics\":" + metrics + ",\"date_range\":" + range
                + (more.isEmpty() ? "" : "," + more) + "}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static LocalDate today() {
        return LocalDate.ofInstant(Instant.ofEpochSecond(now), BERLIN);
    }

    private static long start(LocalDate day) {
        return day.atStartOfDay(BERLIN).toEpochSecond();
    }

    private static String iso(long second) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(Instant.ofEpochSecond(second).atZone(BERLIN));
    }

    @Test
    void everyGranularityEqualsTheTally() throws Exception {
        // minutes: the last 30 whole minutes before now
        long lastMinute = now / 60 * 60;
        long from = lastMinute - 30 * 60;
        JsonNode minutes = query("[\"pageviews\"]", "[\"" + iso(from) + "\",\"" + iso(lastMinute - 1) + "\"]",
                "\"dimensions\":[\"time:minute\"]");
        Map<String, Long> expected = new TreeMap<>();
        for (long m = from; m < lastMinute; m += 60) {
            long views = tally.views(m, m + 60);
            if (views > 0) {
                expected.put(LocalDateTime.ofInstant(Instant.ofEpochSecond(m), BERLIN).format(DateTimeFormatter.ofPattern(
                        "yyyy-MM-dd HH:mm:00")), views);
            }
        }
        assertThat(rows(minutes)).isEqualTo(expected);

        // hours: each hour of yesterday
        LocalDate yesterday = today().minusDays(1);
        JsonNode hours = query("[\"pageviews\"]", "[\"" + yesterday + "\",\"" + yesterday + "\"]", "\"dimensions\":[\"time:hour\"]");
        expected.clear();
        for (long h = start(yesterday); h < start(today()); h += 3600) {
            expected.put(LocalDateTime.ofInstant(Instant.ofEpochSecond(h), BERLIN).format(DateTimeFormatter.ofPattern(
                    "yyyy-MM-dd HH:00:00")), tally.views(h, h + 3600));
        }
        assertThat(rows(hours)).isEqualTo(expected);

        // days, with exact daily visitors
        JsonNode days = query("[\"pageviews\",\"visitors\"]", "\"7d\"", "\"dimensions\":[\"time:day\"]");
        assertThat(days.get("results")).hasSize(7);
        for (JsonNode row : days.get("results")) {
            LocalDate day = LocalDate.parse(row.get("dimensions").get(0).asText());
            long f = start(day);
            long t = start(day.plusDays(1));
            assertThat(row.get("metrics").get(0).asLong()).isEqualTo(tally.views(f, t));
            assertThat(row.get("metrics").get(1).asLong()).isEqualTo(tally.visitors(f, t, p -> true));
        }

        // a span of whole hours, minutes at the edges: today from 00:07 to now
        long edge = start(today()) + 7 * 60;
        JsonNode span = query("[\"pageviews\"]", "[\"" + iso(edge) + "\",\"" + iso(lastMinute - 1) + "\"]", "");
        assertThat(span.get("results").get(0).get("metrics").get(0).asLong()).isEqualTo(tally.views(edge, lastMinute));

        // top pages today, with a filter
        JsonNode blog = query("[\"pageviews\"]", "\"day\"", "\"dimensions\":[\"event:page\"],"
                + "\"filters\":[[\"contains\",\"event:page\",[\"/blog\"]]]");
        Map<String, Long> byPage = new TreeMap<>();
        tally.viewsByPage(start(today()), start(today().plusDays(1))).forEach((page, views) -> {
            if (page.contains("/blog")) {
                byPage.put(page, views);
            }
        });
        assertThat(rows(blog)).isEqualTo(byPage);
        assertThat(blog.get("meta").get("seq").asLong()).isEqualTo(1);
    }

    private static Map<String, Long> rows(JsonNode answer) {
        Map<String, Long> rows = new TreeMap<>();
        answer.get("results").forEach(r -> rows.put(r.get("dimensions").get(0).asText(), r.get("metrics").get(0).asLong()));
        return rows;
    }

    @Test
    void visitorsOverARangeAreWithinTheStatedErrorOfTheTrueCount() throws Exception {
        JsonNode week = query("[\"visitors\",\"pageviews\"]", "\"7d\"", "");
        long from = start(today().minusDays(7));
        long to = start(today());
        long truth = tally.visitors(from, to, p -> true);
        long answered = week.get("results").get(0).get("metrics").get(0).asLong();
        double error = week.get("meta").get("standard_error").get("visitors").asDouble();
        assertThat(week.get("meta").get("estimated_metrics").toString()).isEqualTo("[\"visitors\"]");
        assertThat((double) Math.abs(answered - truth)).as("%d answered, %d true", answered, truth).isLessThanOrEqualTo(3 * error * truth);
        long sumOfDays = 0;
        for (long d = from; d < to; d = start(LocalDate.ofInstant(Instant.ofEpochSecond(d), BERLIN).plusDays(1))) {
            sumOfDays += tally.visitors(d, start(LocalDate.ofInstant(Instant.ofEpochSecond(d), BERLIN).plusDays(1)), p -> true);
        }
        assertThat(answered).isLessThan(sumOfDays);
        System.out.printf("7d visitors: answered %d, true %d (%.2f %%), sum of days %d%n", answered, truth,
                100.0 * (answered - truth) / truth, sumOfDays);

        JsonNode pages = query("[\"visitors\",\"pageviews\"]", "\"7d\"", "\"dimensions\":[\"event:page\"]");
        for (JsonNode row : pages.get("results")) {
            String page = row.get("dimensions").get(0).asText();
            long pageTruth = tally.visitors(from, to, page::equals);
            long pageAnswer = row.get("metrics").get(0).asLong();
            assertThat((double) Math.abs(pageAnswer - pageTruth)).as(page).isLessThanOrEqualTo(3 * error * pageTruth);
            assertThat(pageAnswer).isLessThanOrEqualTo(row.get("metrics").get(1).asLong());
        }
    }

    @Test
    void etagsCsvAndErrorsOverHttp() throws Exception {
        String body = "{\"site_id\":\"localhost\",\"metrics\":[\"pageviews\"],\"date_range\":\"7d\"}";
        HttpResponse<String> first = post(body);
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertThat(post(body, "If-None-Match", etag).statusCode()).isEqualTo(304);
        HttpResponse<String> csv = post(body, "Accept", "text/csv");
        assertThat(csv.body()).startsWith("pageviews\r\n");
        HttpResponse<String> bad = post(body.replace("localhost", "other.site"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("error").asText()).startsWith("#/site_id:");
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    }

    /** Lines of a stream, read on a thread of their own. */
    private static BlockingQueue<String> openStream(String lastEventId, List<Runnable> closers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/api/v2/stream"));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream; charset=utf-8");
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try {
                response.body().forEach(lines::add);
            } catch (RuntimeException closed) {
                // the test closed the stream
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
        closers.add(() -> response.body().close());
        return lines;
    }

    private static String nextId(BlockingQueue<String> lines, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line != null && line.startsWith("id: ")) {
                return line.substring(4);
            }
        }
        return null;
    }

    @Test
    void eachPublishedCommitIsPushedWithinASecondAndAReconnectCatchesUp() throws Exception {
        List<Runnable> closers = new ArrayList<>();
        Layout layout = fixture.layout();
        try (Jedis jedis = redis.client()) {
            long seq = Long.parseLong(jedis.hget(layout.meta(), "seq"));
            BlockingQueue<String> lines = openStream(Long.toString(seq), closers);
            List<Long> latencies = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                long next = seq + i;
                jedis.hset(layout.meta(), Map.of("seq", Long.toString(next), "committed_at", Long.toString(System.currentTimeMillis())));
                long published = System.nanoTime();
                jedis.publish(layout.commits(), Long.toString(next));
                assertThat(nextId(lines, 1000)).as("commit %d pushed within a second", next).isEqualTo(Long.toString(next));
                latencies.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - published));
            }
            System.out.println("PUBLISH to SSE event, ms: " + latencies);
            long last = seq + 5;
            // a browser that saw seq+3 and reconnects gets the newest at once, without waiting for a commit
            BlockingQueue<String> again = openStream(Long.toString(last - 2), closers);
            assertThat(nextId(again, 1000)).isEqualTo(Long.toString(last));
            BlockingQueue<String> current = openStream(Long.toString(last), closers);
            assertThat(nextId(current, 300)).as("an up-to-date reconnect gets nothing until the next commit").isNull();
            jedis.hset(layout.meta(), "seq", "1"); // back to the fixture's commit for the other tests
        } finally {
            closers.forEach(Runnable::run);
        }
    }
}
