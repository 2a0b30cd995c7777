package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.job.JobConfig;
import dev.pageviews.local.browser.DashboardPage;
import dev.pageviews.settings.Setting;
import dev.pageviews.stack.LocalStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

/**
 * The dashboard of {@code ./pageviews up} (its read service on {@code --stats-port}) in headless Chromium, fed by
 * views POSTed to the edge: nothing is written to Redis by the test, the job counts everything. Views sent after the
 * page loaded must be on screen, in their buckets, within 5 s of the last POST and without a reload; on an idle site the
 * header's lag must stay within what the checkpoint interval and the watermark settings allow. Saves
 * {@code target/up-dashboard.png}.
 */
class UpDashboardIT {

    private static final Logger LOG = LoggerFactory.getLogger(UpDashboardIT.class);
    private static final Duration ON_SCREEN = Duration.ofSeconds(5);
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:00");
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:00:00");

    private static final Path DATA_DIR = LocalStackExtension.newWorkDir();
    private static final UpProcesses UP = new UpProcesses(DATA_DIR);
    private static Process up;
    private static PipelineTraffic traffic;
    private DashboardPage page;

    @BeforeAll
    static void startThePipeline() throws Exception {
        DashboardPage.assertChromiumInstalled();
        up = UP.start("dashboard", Map.of());
        UP.awaitReady();
        traffic = new PipelineTraffic(UP.httpPort, Map.of());
        // a site with a commit before any page opens: the dashboard starts from numbers, not from nothing
        String user = "earlier-" + System.nanoTime();
        for (int i = 0; i < 3; i++) {
            assertThat(traffic.post(user, "/home", Instant.now().getEpochSecond())).isEqualTo(202);
        }
        awaitCounted();
    }

    @AfterEach
    void closeTheBrowser() {
        if (page != null) {
            page.close();
        }
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (up != null) {
            UP.stop(up);
        }
        UP.killLeftovers();
    }

    @Test
    void viewsSentAfterThePageLoadedAreOnScreenInTheirBucketsWithinFiveSecondsWithoutAReload() throws Exception {
        ZoneId zone = reportingZone();
        awayFromMidnight(zone);
        page = DashboardPage.open(UP.statsPort);
        page.awaitLoaded(redisSeq(), Duration.ofSeconds(30));
        page.markLoaded();

        long now = Instant.now().getEpochSecond();
        long minute = now - Math.floorMod(now, 60);
        long lateMinute = minute - 180; // a late view: behind the job's watermark, in its own old minute
        String currentLabel = MINUTE.format(Instant.ofEpochSecond(minute).atZone(zone));
        String lateLabel = MINUTE.format(Instant.ofEpochSecond(lateMinute).atZone(zone));
        long todayViews = page.number("pageviews");
        long todayVisitors = page.number("visitors");
        long currentMinuteViews = page.realtimeMinute(currentLabel);
        long lateMinuteViews = page.realtimeMinute(lateLabel);
        Map<String, Long> hoursBefore = page.chartHours();

        String run = Long.toString(System.nanoTime(), 36);
        String a = "/dash-" + run + "/a";
        String b = "/dash-" + run + "/b";
        String late = "/dash-" + run + "/late";
        List<PipelineTraffic.View> views = new ArrayList<>();
        for (String user : List.of("a1", "a2", "a3", "a1", "a2")) {
            views.add(new PipelineTraffic.View(run + user, a, now, null));
        }
        views.add(new PipelineTraffic.View(run + "a1", b, now, null));
        views.add(new PipelineTraffic.View(run + "b1", b, now, null));
        views.add(new PipelineTraffic.View(run + "late1", late, lateMinute + 10, null));
        long lastAnswered = 0;
        for (PipelineTraffic.View view : views) {
            assertThat(traffic.post(view)).isEqualTo(202);
            lastAnswered = System.nanoTime();
        }

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("top " + a, "5 views, 3 visitors");
        expected.put("top " + b, "2 views, 2 visitors");
        expected.put("top " + late, "1 views, 1 visitors");
        expected.put("pageviews", DashboardPage.shown(todayViews + 8));
        expected.put("visitors", DashboardPage.shown(todayVisitors + 5)); // a1, a2, a3, b1, late1: new today
        expected.put("minute " + currentLabel, DashboardPage.shown(currentMinuteViews + 7));
        expected.put("minute " + lateLabel, DashboardPage.shown(lateMinuteViews + 1));
        Map<String, Long> hoursAfter = new TreeMap<>(hoursBefore);
        hoursAfter.merge(HOUR.format(Instant.ofEpochSecond(minute).atZone(zone)), 7L, Long::sum);
        hoursAfter.merge(HOUR.format(Instant.ofEpochSecond(lateMinute).atZone(zone)), 1L, Long::sum);
        expected.put("chart hours", hoursAfter.toString());

        Map<String, String> shown = page.await(() -> onScreen(expected.keySet()), expected,
                lastAnswered + ON_SCREEN.toNanos());
        long onScreenMs = (System.nanoTime() - lastAnswered) / 1_000_000;
        assertThat(shown).isEqualTo(expected);
        assertThat(page.reloaded()).as("no reload").isFalse();
        assertThat(page.text("seq")).isEqualTo(Long.toString(redisSeq()));
        LOG.info("Views POSTed after the page loaded were on screen {} ms after the last 202: {}", onScreenMs, shown);
        System.out.printf("last POST answered to every number on screen: %d ms%n", onScreenMs);

        page.screenshot(Path.of("target", "up-dashboard.png"));
        page.assertNoErrors();
    }

    @Test
    void onAnIdleSiteTheLagStaysWithinTheCheckpointIntervalAndTheWatermarkSettings() throws Exception {
        assertThat(traffic.post("idle-" + System.nanoTime(), "/idle", Instant.now().getEpochSecond())).isEqualTo(202);
        awaitCounted();
        long seq = redisSeq();
        page = DashboardPage.open(UP.statsPort);
        page.awaitLoaded(seq, Duration.ofSeconds(30));
        page.markLoaded();
        String numbers = page.text("pageviews");

        // the defaults up runs the job with (a checkpoint every 2 s, 2 s out of order, idle after 1 s): the watermark
        // trails the clock by the out-of-orderness once idle, and reaches Redis at each checkpoint; twice the interval,
        // as a checkpoint on a busy machine completes late, and a second for the commit and the page's redraw
        Duration bound = byDefault(JobConfig.CHECKPOINT_INTERVAL).multipliedBy(2).plus(byDefault(JobConfig.OUT_OF_ORDERNESS))
                .plus(byDefault(JobConfig.IDLE_TIMEOUT)).plusSeconds(1);
        Duration idle = Duration.ofSeconds(25);
        List<Double> lags = new ArrayList<>();
        long end = System.nanoTime() + idle.toNanos();
        while (System.nanoTime() < end) {
            Thread.sleep(1000);
            lags.add(page.lagSeconds());
        }
        double worst = lags.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        LOG.info("Lag on the dashboard over {} s without views (bound {} ms): {}", idle.toSeconds(), bound.toMillis(), lags);
        System.out.printf("idle site: the lag on screen at most %.1f s over %d s (bound %.1f s)%n", worst, idle.toSeconds(),
                bound.toMillis() / 1000.0);
        assertThat(worst).as("the lag on screen over %s without views: %s", idle, lags)
                .isLessThanOrEqualTo(bound.toMillis() / 1000.0);
        assertThat(redisSeq()).as("checkpoints without views are no commits").isEqualTo(seq);
        assertThat(page.text("seq")).isEqualTo(Long.toString(seq));
        assertThat(page.text("pageviews")).isEqualTo(numbers);
        assertThat(page.reloaded()).as("no reload").isFalse();
        page.assertNoErrors();
    }

    /** What the page shows for each expected key, in the form {@code expected} states it. */
    private Map<String, String> onScreen(Iterable<String> keys) {
        Map<String, String> shown = new LinkedHashMap<>();
        Map<String, String[]> top = page.topPages();
        for (String key : keys) {
            if (key.startsWith("top ")) {
                String[] row = top.get(key.substring(4));
                shown.put(key, row == null ? "(not listed)" : row[0] + " views, " + row[1] + " visitors");
            } else if (key.startsWith("minute ")) {
                shown.put(key, page.realtimeMinuteText(key.substring(7)));
            } else if (key.equals("chart hours")) {
                shown.put(key, page.chartHours().toString());
            } else {
                shown.put(key, page.text(key));
            }
        }
        return shown;
    }

    private static Duration byDefault(Setting<Duration> setting) {
        return setting.type().parse(setting.defaultText());
    }

    private static ZoneId reportingZone() {
        try (Jedis jedis = new Jedis("127.0.0.1", UP.redisPort)) {
            String zone = jedis.hget("{page_views}:meta", "time_zone");
            return ZoneId.of(zone == null ? "UTC" : zone);
        }
    }

    /**
     * Waits while the reporting day is about to end or has just begun: the late view (3 minutes back) must fall on the
     * day the page shows, and the page's "today" must not change under the test.
     */
    private static void awayFromMidnight(ZoneId zone) throws InterruptedException {
        while (true) {
            LocalTime time = ZonedDateTime.now(zone).toLocalTime();
            if (time.isAfter(LocalTime.of(0, 5)) && time.isBefore(LocalTime.of(23, 59))) {
                return;
            }
            Thread.sleep(5000);
        }
    }

    private static long redisSeq() {
        try (Jedis jedis = new Jedis("127.0.0.1", UP.redisPort)) {
            String seq = jedis.hget("{page_views}:meta", "seq");
            return seq == null ? 0 : Long.parseLong(seq);
        }
    }

    /** Waits until the job has committed every view sent so far: the numbers stop moving. */
    private static void awaitCounted() throws InterruptedException {
        try (Jedis jedis = new Jedis("127.0.0.1", UP.redisPort)) {
            assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(60)))
                    .isEqualTo(traffic.expected());
        }
    }
}
