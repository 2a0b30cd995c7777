package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pageviews.stack.LocalStackExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Stats API of {@code ./pageviews up} (real Kafka, Redis, the Flink job and the read service, {@code up} as its own
 * process) against an independent tally of the views a careful client got a 202 for, across a {@code kill -9} of
 * {@code up} (the JVM that runs the job) and a clean stop (SIGTERM) and start, both while views are being sent.
 *
 * <p>The client gives every view an event id and sends it again, with that id, until it gets a 202 (no answer, a
 * reset connection, nothing listening, a 503), and sends some views once more after their 202, as a client whose
 * reply was lost: each id is one view in the tally. The views are spread over today and yesterday of the reporting
 * time zone (half an hour off UTC, so that local hours and days are not cut where the UTC minutes are): half stamped now, the rest late, far more than the out-of-orderness behind the watermark, in the minutes of the
 * last half hour, the earlier hours of today and the hours of yesterday.
 *
 * <p>Once the client has its last 202 and the API's {@code meta.watermark} has passed the newest view, every answer
 * must equal the tally: views per minute ({@code 30m}), per hour ({@code day}, two days, a datetime range), per day,
 * per page and in total; exact visitors of one day, per page and of the site. Visitors over two days, or of several
 * pages at once, are HyperLogLog estimates: within three of the standard errors the answer states, never above the sum
 * of the days' visitors. Two checkpoints later the answers must not have moved.
 */
class UpReadSideIT {

    private static final Logger LOG = LoggerFactory.getLogger(UpReadSideIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Half an hour off UTC, so that local hours and days are not cut where the UTC minutes are; of two such zones the one
     * whose midnight is hours away, so that "today" does not change while the test runs.
     */
    private static final ZoneId ZONE = farFromMidnight(ZoneId.of("Asia/Kolkata"), ZoneId.of("America/St_Johns"));
    private static final Map<String, String> ENV = Map.of("PAGEVIEWS_TIME_ZONE", ZONE.getId());
    private static final List<String> PAGES = List.of("/", "/pricing", "/blog/one", "/blog/two", "/docs", "/about");
    private static final String VIEWS = "[\"pageviews\"]";
    private static final String VIEWS_AND_VISITORS = "[\"pageviews\",\"visitors\"]";

    private final Path dataDir = LocalStackExtension.newWorkDir();
    private final UpProcesses up = new UpProcesses(dataDir);
    private final ViewTally tally = new ViewTally(ZONE);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private static ZoneId farFromMidnight(ZoneId zone, ZoneId otherwise) {
        int hour = ZonedDateTime.now(zone).getHour();
        return hour == 23 || hour == 0 ? otherwise : zone;
    }

    @AfterEach
    void killWhatIsLeft() throws Exception {
        up.killLeftovers();
    }

    @Test
    void everyAnswerEqualsTheTallyOfAcceptedViewsAcrossAKillMinus9AndACleanRestart() throws Exception {
        long started = System.nanoTime();
        Process first = up.start("first", ENV);
        up.awaitReady();
        Process third;
        try (CarefulClient client = new CarefulClient(3)) {
            awaitAccepted(client, 1_200);
            awaitSeq(3); // commits applied, and the next ones pending, when the job dies
            LOG.info("kill -9 of up at {} views accepted, commit {}", tally.size(), seq());
            up.kill(first);

            Process second = up.start("second", ENV); // resumes from the last completed checkpoint
            up.awaitReady();
            awaitAccepted(client, tally.size() + 1_200);
            LOG.info("SIGTERM to up at {} views accepted", tally.size());
            up.stop(second);
            String afterKill = Files.readString(up.output("second"));
            assertThat(afterKill).contains("Resuming the job from checkpoint").contains("Job stopped with savepoint");
            LOG.info("after the kill, {} commits of the restored checkpoint were found applied before and skipped",
                    afterKill.split("was applied before; skipped", -1).length - 1);

            third = up.start("third", ENV); // resumes from that savepoint
            up.awaitReady();
            assertThat(Files.readString(up.output("third"))).contains("Resuming the job from savepoint");
            awaitAccepted(client, tally.size() + 800);
            client.finish(); // the last view sent has its 202
            LOG.info("client done: {} views accepted ({} event ids), {} sends without a 202 sent again, {} copies after a 202",
                    client.sent.get(), tally.size(), client.retries.get(), client.copies.get());
            assertThat(client.retries.get()).as("views sent again across the kill and the stop").isPositive();
        }

        Check settled = awaitAnswers(Duration.ofSeconds(90));
        assertThat(settled.problems).as("answers at commit %d (watermark %s) against the tally of %d views",
                settled.seq, Instant.ofEpochMilli(settled.watermark), tally.size()).isEmpty();
        assertThat(settled.watermark).as("a commit covers the newest view").isGreaterThan(tally.newestSecond() * 1000);
        LOG.info("answers equal the tally at commit {}, {} s after the start; visitor estimates: {}", settled.seq,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), settled.estimates);
        Thread.sleep(4_000); // two more checkpoints: nothing may be applied again
        Check later = check();
        assertThat(later.problems).as("answers at commit %d", later.seq).isEmpty();
        up.stop(third);
    }

    private void awaitAccepted(CarefulClient client, int views) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (tally.size() < views) {
            client.throwIfFailed();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + tally.size() + " of " + views + " views accepted; see " + dataDir);
            }
            Thread.sleep(100);
        }
    }

    private void awaitSeq(long seq) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (seq() < seq) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no commit " + seq + " within a minute; see " + dataDir);
            }
            Thread.sleep(200);
        }
    }

    private long seq() throws Exception {
        HttpResponse<String> answer = query(VIEWS, "\"day\"", "");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body()).get("meta").get("seq").asLong();
    }

    private HttpResponse<String> query(String metrics, String range, String more) throws Exception {
        String body = "{\"site_id\":\"localhost\",\"metrics\":" + metrics + ",\"date_range\":" + range + more + "}";
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + up.statsPort + "/api/v2/query"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * What one round of queries found: problems (empty when every answer equals the tally), whether some figure is above
     * the tally (a double count: views never go down, so waiting cannot mend it), the lowest commit and watermark the
     * answers reflect, and the visitor estimates against their true counts.
     */
    private static final class Check {
        final List<String> problems = new ArrayList<>();
        final List<String> estimates = new ArrayList<>();
        boolean overCounted;
        long seq = Long.MAX_VALUE;
        long watermark = Long.MAX_VALUE;
    }

    /**
     * Checks until the answers reflect a watermark past the newest view and then every answer equals the tally, or one
     * is above it.
     */
    private Check awaitAnswers(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Check check = check();
            boolean covered = check.watermark > tally.newestSecond() * 1000;
            if (covered && (check.problems.isEmpty() || check.overCounted) || System.nanoTime() > deadline) {
                return check;
            }
            Thread.sleep(500);
        }
    }

    /** One round of queries, each checked against the tally. */
    private Check check() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        LocalDate today = LocalDate.ofInstant(Instant.ofEpochSecond(now), ZONE);
        String twoDays = "[\"" + today.minusDays(1) + "\",\"" + today + "\"]";
        // 26 h back to 95 s ago, both ends inside a minute: cut into minutes at the edges, hours and a day between
        String span = "[\"" + iso(now - 26 * 3600 + 7 * 60 + 13) + "\",\"" + iso(now - 95) + "\"]";
        Check check = new Check();
        exact(check, "30m per minute", VIEWS, "\"30m\"", ViewTally.Granularity.MINUTE, false);
        exact(check, "30m per minute and page", VIEWS, "\"30m\"", ViewTally.Granularity.MINUTE, true);
        exact(check, "today per hour", VIEWS, "\"day\"", ViewTally.Granularity.HOUR, false);
        exact(check, "today per hour and page", VIEWS, "\"day\"", ViewTally.Granularity.HOUR, true);
        exact(check, "today", VIEWS_AND_VISITORS, "\"day\"", null, false);
        exact(check, "today per page", VIEWS_AND_VISITORS, "\"day\"", null, true);
        exact(check, "two days per hour", VIEWS, twoDays, ViewTally.Granularity.HOUR, false);
        exact(check, "two days per day", VIEWS_AND_VISITORS, twoDays, ViewTally.Granularity.DAY, false);
        exact(check, "two days per day and page", VIEWS_AND_VISITORS, twoDays, ViewTally.Granularity.DAY, true);
        exact(check, "datetime range", VIEWS, span, null, false);
        exact(check, "datetime range per page", VIEWS, span, null, true);
        exact(check, "datetime range per hour", VIEWS, span, ViewTally.Granularity.HOUR, false);
        estimated(check, "two days", twoDays, false, "");
        estimated(check, "two days per page", twoDays, true, "");
        estimated(check, "today on /blog pages", "\"day\"", false,
                ",\"filters\":[[\"contains\",\"event:page\",[\"/blog\"]]]");
        return check;
    }

    private static String iso(long second) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(Instant.ofEpochSecond(second).atZone(ZONE));
    }

    /** An answer that must equal the tally row for row, visitors included (each row is one local day at most). */
    private void exact(Check check, String name, String metrics, String range, ViewTally.Granularity time, boolean byPage)
            throws Exception {
        String dimensions = (time == null ? "" : "\"" + time.apiName + "\"") + (time != null && byPage ? "," : "")
                + (byPage ? "\"event:page\"" : "");
        JsonNode answer = answer(check, name, metrics, range, ",\"dimensions\":[" + dimensions + "]");
        if (answer == null) {
            return;
        }
        boolean visitors = metrics.contains("visitors");
        long[] period = period(answer);
        Map<List<String>, List<Long>> expected = new TreeMap<>(UpReadSideIT::compareKeys);
        tally.rows(period[0], period[1], time, byPage).forEach((key, figures) -> expected.put(key,
                visitors ? List.of(figures.views(), (long) figures.users().size()) : List.of(figures.views())));
        Map<List<String>, List<Long>> answered = rows(answer);
        if (!answered.equals(expected)) {
            List<Long> none = visitors ? List.of(0L, 0L) : List.of(0L);
            List<String> differences = new ArrayList<>();
            for (List<String> key : union(expected.keySet(), answered.keySet())) {
                List<Long> want = expected.getOrDefault(key, none);
                List<Long> got = answered.getOrDefault(key, none);
                if (!want.equals(got)) {
                    differences.add(key + " answered " + got + ", tally " + want);
                    for (int i = 0; i < got.size(); i++) {
                        check.overCounted |= got.get(i) > want.get(i);
                    }
                }
            }
            check.problems.add(name + " " + answer.get("query").get("date_range") + " (commit " + answer.get("meta").get("seq")
                    + "): " + differences.size() + " rows differ: " + differences.subList(0, Math.min(8, differences.size())));
        }
        if (visitors && !answer.get("meta").get("estimated_metrics").isEmpty()) {
            check.problems.add(name + ": visitors answered as an estimate, exact expected: " + answer.get("meta"));
        }
    }

    /**
     * Views exact; visitors an estimate over several days or pages: within three stated standard errors of the true
     * distinct count, never above the sum of the days' visitors (of each page, for a filter over pages) nor below the
     * most of one of them.
     */
    private void estimated(Check check, String name, String range, boolean byPage, String filter) throws Exception {
        JsonNode answer = answer(check, name, "[\"visitors\",\"pageviews\"]", range,
                (byPage ? ",\"dimensions\":[\"event:page\"]" : "") + filter);
        if (answer == null) {
            return;
        }
        long[] period = period(answer);
        JsonNode meta = answer.get("meta");
        if (!meta.get("estimated_metrics").toString().equals("[\"visitors\"]")) {
            check.problems.add(name + ": visitors not said to be an estimate: " + meta);
            return;
        }
        double error = meta.get("standard_error").get("visitors").asDouble();
        Map<List<String>, List<Long>> answered = rows(answer);
        Map<List<String>, ViewTally.Figures> perPage = tally.rows(period[0], period[1], null, true);
        List<String> filtered = filter.isEmpty() ? PAGES : PAGES.stream().filter(p -> p.contains("/blog")).toList();
        for (List<String> row : byPage ? PAGES.stream().map(List::of).toList() : List.of(List.<String>of())) {
            List<String> pages = byPage ? row : filtered;
            long views = pages.stream().mapToLong(p -> perPage.containsKey(List.of(p)) ? perPage.get(List.of(p)).views() : 0).sum();
            List<Set<String>> perDayAndPage = new ArrayList<>();
            if (pages.equals(PAGES)) {
                perDayAndPage.addAll(tally.usersPerDay(period[0], period[1], null).values());
            } else {
                pages.forEach(p -> perDayAndPage.addAll(tally.usersPerDay(period[0], period[1], p).values()));
            }
            long truth = ViewTally.union(perDayAndPage);
            long atLeast = perDayAndPage.stream().mapToLong(Set::size).max().orElse(0);
            long bound = perDayAndPage.stream().mapToLong(Set::size).sum();
            String what = name + (byPage ? " " + row.get(0) : "");
            List<Long> got = answered.get(row);
            if (got == null) {
                check.problems.add(what + ": no row; tally " + views + " views, " + truth + " visitors");
                continue;
            }
            long visitors = got.get(0);
            check.estimates.add(what + ": " + visitors + " for " + truth);
            check.overCounted |= got.get(1) > views;
            if (got.get(1) != views) {
                check.problems.add(what + ": " + got.get(1) + " views answered, tally " + views);
            }
            if (Math.abs(visitors - truth) > 3 * error * truth || visitors > bound || visitors < atLeast) {
                check.problems.add(what + ": " + visitors + " visitors answered, " + truth + " true (standard error " + error
                        + "), the sum of the days' " + bound + ", the most of one day's " + atLeast);
            }
        }
    }

    /** The answer as JSON, its commit and watermark taken into the check; null (and a problem) when not a 200. */
    private JsonNode answer(Check check, String name, String metrics, String range, String more) throws Exception {
        HttpResponse<String> response = query(metrics, range, more);
        if (response.statusCode() != 200) {
            check.problems.add(name + ": status " + response.statusCode() + " " + response.body());
            return null;
        }
        JsonNode answer = JSON.readTree(response.body());
        JsonNode meta = answer.get("meta");
        if (!ZONE.getId().equals(meta.get("time_zone").asText())) {
            check.problems.add(name + ": time zone " + meta.get("time_zone"));
        }
        check.seq = Math.min(check.seq, meta.get("seq").asLong());
        check.watermark = Math.min(check.watermark,
                meta.get("watermark").isNull() ? 0 : Instant.parse(meta.get("watermark").asText()).toEpochMilli());
        return answer;
    }

    /** The answer's range as run, {@code [from, to)} in epoch seconds: its echo names the first and the last second. */
    private static long[] period(JsonNode answer) {
        JsonNode range = answer.get("query").get("date_range");
        return new long[] {OffsetDateTime.parse(range.get(0).asText()).toEpochSecond(),
                OffsetDateTime.parse(range.get(1).asText()).toEpochSecond() + 1};
    }

    private static Map<List<String>, List<Long>> rows(JsonNode answer) {
        Map<List<String>, List<Long>> rows = new TreeMap<>(UpReadSideIT::compareKeys);
        for (JsonNode row : answer.get("results")) {
            List<String> key = new ArrayList<>();
            row.get("dimensions").forEach(d -> key.add(d.asText()));
            List<Long> metrics = new ArrayList<>();
            row.get("metrics").forEach(m -> metrics.add(m.asLong()));
            rows.put(key, metrics);
        }
        return rows;
    }

    private static List<List<String>> union(Set<List<String>> a, Set<List<String>> b) {
        Map<List<String>, Boolean> all = new TreeMap<>(UpReadSideIT::compareKeys);
        a.forEach(k -> all.put(k, true));
        b.forEach(k -> all.put(k, true));
        return new ArrayList<>(all.keySet());
    }

    private static int compareKeys(List<String> a, List<String> b) {
        return String.join("\n", a).compareTo(String.join("\n", b));
    }

    /**
     * A client that keeps sending views on a few threads until {@link #finish}: each view with an event id, sent again
     * with it until a 202 (after no answer, a reset or refused connection, a 503); some sent once more after their 202.
     * Any other answer fails the test.
     */
    private final class CarefulClient implements AutoCloseable {

        final AtomicLong sent = new AtomicLong();
        final AtomicLong retries = new AtomicLong();
        final AtomicLong copies = new AtomicLong();
        private final AtomicBoolean finishing = new AtomicBoolean();
        private final ExecutorService threads;
        private final List<Future<?>> senders = new ArrayList<>();

        CarefulClient(int singleSenders) {
            threads = Executors.newFixedThreadPool(singleSenders + 1);
            for (int s = 0; s < singleSenders; s++) {
                int sender = s;
                senders.add(threads.submit(() -> {
                    sendSingles(sender);
                    return null;
                }));
            }
            senders.add(threads.submit(() -> {
                sendBatches();
                return null;
            }));
        }

        private void sendSingles(int sender) throws Exception {
            Random random = new Random(30 + sender);
            List<ViewTally.View> mine = new ArrayList<>();
            for (int i = 0; !finishing.get(); i++) {
                boolean copy = !mine.isEmpty() && random.nextInt(20) == 0;
                ViewTally.View view = copy ? mine.get(random.nextInt(mine.size())) : newView(random, "s" + sender + "-" + i);
                deliver("/api/v1/track", view.json(), List.of(view));
                if (copy) {
                    copies.incrementAndGet();
                } else {
                    mine.add(view);
                }
                Thread.sleep(8);
            }
        }

        private void sendBatches() throws Exception {
            Random random = new Random(300);
            List<ViewTally.View> mine = new ArrayList<>();
            for (int b = 0; !finishing.get(); b++) {
                List<ViewTally.View> batch = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    batch.add(newView(random, "b" + b + "-" + i));
                }
                mine.addAll(batch);
                if (mine.size() > batch.size() && random.nextInt(3) == 0) {
                    batch.set(4, mine.get(random.nextInt(mine.size() - batch.size()))); // a view an earlier batch sent
                    mine.remove(mine.size() - batch.size() + 4);
                    copies.incrementAndGet();
                }
                deliver("/api/v1/track/batch", batch.stream().map(ViewTally.View::json).collect(Collectors.joining(",", "[", "]")),
                        batch);
                Thread.sleep(60);
            }
        }

        /** Sends {@code body} until the edge answers 202, then takes {@code views} into the tally. */
        private void deliver(String path, String body, List<ViewTally.View> views) throws Exception {
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (true) {
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + up.httpPort + path))
                            .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 202) {
                        views.forEach(tally::accepted);
                        sent.addAndGet(views.size());
                        return;
                    }
                    if (response.statusCode() != 503) {
                        throw new AssertionError(path + " answered " + response.statusCode() + " " + response.body() + " to " + body);
                    }
                } catch (IOException noAnswer) {
                    // killed, stopping, or not listening yet: the view may be in Kafka or not, so it goes again with its id
                }
                retries.incrementAndGet();
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no 202 within 3 minutes for " + body);
                }
                Thread.sleep(200);
            }
        }

        /**
         * A new view: half stamped now; the rest late, in the minutes of the last half hour, the earlier hours of today
         * and yesterday. Yesterday's visitors are u0..u699, today's u300..u999: some are visitors of both days.
         */
        private ViewTally.View newView(Random random, String eventId) {
            long now = System.currentTimeMillis() / 1000;
            LocalDate today = LocalDate.ofInstant(Instant.ofEpochSecond(now), ZONE);
            long startOfToday = today.atStartOfDay(ZONE).toEpochSecond();
            int kind = random.nextInt(20);
            long second;
            if (kind < 10) {
                second = now;
            } else if (kind < 14) {
                second = now - 1 - random.nextInt(1800);
            } else if (kind < 17) {
                second = startOfToday + random.nextInt((int) Math.max(1, now - startOfToday));
            } else {
                second = startOfToday - 1 - random.nextInt(86400);
            }
            boolean yesterday = second < startOfToday;
            String user = "u" + (yesterday ? random.nextInt(700) : 300 + random.nextInt(700));
            return new ViewTally.View(eventId, user, PAGES.get(random.nextInt(PAGES.size())), second);
        }

        /** Throws what made a sender stop, if one did. */
        void throwIfFailed() throws Exception {
            for (Future<?> sender : senders) {
                if (sender.isDone()) {
                    sender.get();
                }
            }
        }

        /** Stops sending new views once every sender has its 202 for what it is sending; fails with a sender's failure. */
        void finish() throws Exception {
            finishing.set(true);
            for (Future<?> sender : senders) {
                sender.get(4, TimeUnit.MINUTES);
            }
        }

        @Override
        public void close() {
            finishing.set(true);
            threads.shutdownNow();
        }
    }
}
