package dev.pageviews.read;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.read.query.Tally;
import dev.pageviews.read.store.LayoutFixture;
import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;

/**
 * The dashboard in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, driven as
 * local-pipeline's {@code TrackerBrowserIT} does) against the read service and a real redis-server. The test plays
 * the job: after the page has loaded it commits new views in the job's layout ({@link LayoutFixture}) and publishes
 * the commit on {@code K:commits}; the new numbers must be on screen, in their minute and hour buckets, within 5 s and
 * without a reload. Saves a screenshot to {@code target/dashboard.png} and {@code docs/dashboard.png}.
 */
class DashboardBrowserIT {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardBrowserIT.class);
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:00");
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:00:00");
    private static final List<String> PAGES = List.of("/", "/pricing", "/blog/one", "/blog/two", "/docs");
    private static final Duration ON_SCREEN = Duration.ofSeconds(5);

    private static RedisServer redis;
    private static LayoutFixture fixture;
    /** Every view committed so far, by any test: what the page must add up. */
    private static final List<LayoutFixture.View> COMMITTED = new java.util.ArrayList<>();
    private static long now;
    private WebDriver browser;
    private ReadService service;

    @BeforeAll
    static void startRedisWithAFirstCommit() {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("headless Chromium is needed: apt-get install chromium chromium-driver").isTrue();
        redis = RedisServer.start(LocalStackExtension.newWorkDir(), FreePorts.pick(), RedisServer.Persistence.NONE);
        now = Instant.now().getEpochSecond();
        long today = LocalDate.ofInstant(Instant.ofEpochSecond(now), ZONE).atStartOfDay(ZONE).toEpochSecond();
        fixture = new LayoutFixture("page_views", ZONE);
        Random random = new Random(30);
        for (int i = 0; i < 3_000; i++) {
            // a third today (since midnight, at most the last two hours), the rest over the 8 days before
            long at = i % 3 == 0
                    ? now - 1 - random.nextInt((int) Math.max(1, Math.min(7_200, now - today)))
                    : now - 1 - random.nextInt(8 * 86_400);
            fixture.view(PAGES.get(random.nextInt(PAGES.size())), "u" + random.nextInt(800), Instant.ofEpochSecond(at));
        }
        try (RedisClient client = RedisClient.create(redis.host(), redis.port())) {
            fixture.writeTo(client, 1, (now - 2) * 1000);
        }
        COMMITTED.addAll(fixture.views());
    }

    @AfterEach
    void closeTheBrowserAndTheService() {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.close();
        }
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void viewsCommittedAfterThePageLoadedAppearInTheirBucketsWithinFiveSecondsWithoutAReload() throws Exception {
        service = ReadService.start(ReadConfig.parse(new String[] {"--port", "0", "--redis", redis.uri()}, Map.of()));
        browser = chromium();
        browser.get("http://127.0.0.1:" + service.port() + "/");
        Tally before = new Tally(COMMITTED);
        LocalDate today = LocalDate.ofInstant(Instant.ofEpochSecond(now), ZONE);
        long seq = currentSeq();
        awaitText(By.id("seq"), Long.toString(seq), Duration.ofSeconds(15));
        awaitText(By.id("pageviews"), shown(before.views(start(today), start(today.plusDays(1)))),
                Duration.ofSeconds(5));
        js("window.loadedOnce = true"); // gone if the page reloads

        // the job's next commit: views of a new page in the current minute, by visitors not seen before
        long at = Instant.now().getEpochSecond();
        // more views than any page had in the realtime panel's minutes (just after midnight the seeded views of
        // today crowd them), so that /fresh is among its top 5 whatever the time of day
        long fresh = Math.max(7, 1 + before.viewsByPage(at - 600, at + 1).values().stream().max(Long::compare).orElse(0L));
        LayoutFixture commit = new LayoutFixture("page_views", ZONE);
        for (int i = 0; i < fresh; i++) {
            commit.view("/fresh", "new" + i, Instant.ofEpochSecond(at));
        }
        commit.view("/pricing", "new0", Instant.ofEpochSecond(at));
        long minuteStart = at - Math.floorMod(at, 60);
        String minute = MINUTE.format(Instant.ofEpochSecond(at).atZone(ZONE));
        String hour = HOUR.format(Instant.ofEpochSecond(at).atZone(ZONE));
        long hourStart = Instant.ofEpochSecond(at).atZone(ZONE).withMinute(0).withSecond(0).toEpochSecond();
        long minuteBefore = before.views(minuteStart, minuteStart + 60);
        long hourBefore = before.views(hourStart, hourStart + 3600);
        long dayBefore = before.views(start(today), start(today.plusDays(1)));
        long committed;
        try (RedisClient client = RedisClient.create(redis.host(), redis.port())) {
            commit.writeTo(client, seq + 1, at * 1000);
            COMMITTED.addAll(commit.views());
            client.publish(fixture.layout().commits(), Long.toString(seq + 1));
            committed = System.nanoTime();
        }

        awaitText(By.cssSelector("#realtime-minutes tr[data-label='" + minute + "'] td:last-child"),
                shown(minuteBefore + fresh + 1), ON_SCREEN);
        awaitText(By.id("pageviews"), shown(dayBefore + fresh + 1), ON_SCREEN);
        awaitText(By.cssSelector("#top-pages tr[data-page='/fresh'] td:nth-child(2)"), Long.toString(fresh), ON_SCREEN);
        awaitText(By.cssSelector("#realtime-pages tr[data-page='/fresh'] td:nth-child(2)"), Long.toString(fresh), ON_SCREEN);
        long onScreenMs = (System.nanoTime() - committed) / 1_000_000;
        assertThat(onScreenMs).as("from PUBLISH to the numbers on screen").isLessThan(ON_SCREEN.toMillis());
        // the hour's row of the chart's table (collapsed, so read as text content)
        assertThat(js("return document.querySelector(\"#total-table tr[data-label='" + hour + "'] td:last-child\").textContent"))
                .isEqualTo(shown(hourBefore + fresh + 1));
        assertThat(browser.findElement(By.id("seq")).getText()).isEqualTo(Long.toString(seq + 1));
        assertThat(js("return window.loadedOnce === true")).as("no reload").isEqualTo(true);
        assertThat(browser.findElement(By.cssSelector("#top-pages tr[data-page='/fresh'] td:nth-child(3)")).getText())
                .as("today's visitors of /fresh, exact").isEqualTo(Long.toString(fresh));
        assertThat(js("return document.querySelectorAll('#total-chart canvas').length")).as("a uPlot chart").isEqualTo(1L);
        LOG.info("Views committed after the page loaded were on screen {} ms after the PUBLISH", onScreenMs);
        System.out.printf("PUBLISH to the numbers on screen: %d ms%n", onScreenMs);

        screenshot("dashboard.png");
        assertNoPageErrors();
    }

    @Test
    void aPageWhoseStreamEndedReconnectsWithLastEventIdAndCatchesUpOnTheCommitItMissed() throws Exception {
        service = ReadService.start(ReadConfig.parse(new String[] {"--port", "0", "--redis", redis.uri()}, Map.of()));
        browser = chromium();
        browser.get("http://127.0.0.1:" + service.port() + "/");
        long seq = currentSeq();
        awaitText(By.id("seq"), Long.toString(seq), Duration.ofSeconds(15));
        awaitText(By.id("live"), "live", Duration.ofSeconds(5));
        js("window.loadedOnce = true");

        // the stream ends (as when the service stops); the browser's EventSource reconnects after retry (1 s)
        service.streams().closeAll();
        awaitText(By.id("live"), "reconnecting", Duration.ofSeconds(5));
        // a commit while the page has no stream: its event reaches no one
        long at = Instant.now().getEpochSecond();
        LayoutFixture missed = new LayoutFixture("page_views", ZONE)
                .view("/missed-" + (seq + 1), "late-visitor", Instant.ofEpochSecond(at));
        try (RedisClient client = RedisClient.create(redis.host(), redis.port())) {
            missed.writeTo(client, seq + 1, at * 1000);
            COMMITTED.addAll(missed.views());
            client.publish(fixture.layout().commits(), Long.toString(seq + 1));
        }
        long committed = System.nanoTime();

        // the reconnect says it saw seq (Last-Event-ID): the service answers at once with seq + 1
        LocalDate today = LocalDate.ofInstant(Instant.ofEpochSecond(at), ZONE);
        awaitText(By.id("pageviews"), shown(new Tally(COMMITTED).views(start(today), start(today.plusDays(1)))), ON_SCREEN);
        awaitText(By.id("seq"), Long.toString(seq + 1), Duration.ofSeconds(1));
        awaitText(By.id("live"), "live", Duration.ofSeconds(1));
        assertThat(js("return window.loadedOnce === true")).as("no reload").isEqualTo(true);
        System.out.printf("the missed commit on screen %d ms after it was made%n", (System.nanoTime() - committed) / 1_000_000);
    }

    @Test
    void thePickerAsksForPlausiblesDateRangesAndVisitorsOverSeveralDaysSayTheyAreEstimates() throws Exception {
        service = ReadService.start(ReadConfig.parse(new String[] {"--port", "0", "--redis", redis.uri()}, Map.of()));
        browser = chromium();
        browser.get("http://127.0.0.1:" + service.port() + "/");
        awaitNumbers();
        pick("7d");
        LocalDate today = LocalDate.ofInstant(Instant.now(), ZONE);
        // Plausible's 7d: the seven whole days before today
        awaitText(By.id("pageviews"), shown(new Tally(COMMITTED).views(start(today.minusDays(7)), start(today))),
                Duration.ofSeconds(5));
        awaitText(By.id("granularity"), "per day", Duration.ofSeconds(1));
        assertThat(browser.findElement(By.id("visitors-note")).getText()).startsWith("estimate, standard error 0.81 %");
        assertThat(browser.findElements(By.cssSelector("#total-table tbody tr"))).hasSize(7);

        pick("custom");
        js("document.getElementById('from').value = '" + today.minusDays(2) + "';"
                + "document.getElementById('to').value = '" + today.minusDays(2) + "';"
                + "document.getElementById('to').dispatchEvent(new Event('change'))");
        awaitText(By.id("pageviews"), shown(new Tally(COMMITTED).views(start(today.minusDays(2)), start(today.minusDays(1)))),
                Duration.ofSeconds(5));
        awaitText(By.id("visitors-note"), "exact", Duration.ofSeconds(1));
        assertNoPageErrors();
    }

    @Test
    void aBusyServiceIsAskedAgainAfterRetryAfterNotLeftAsAnError() throws Exception {
        // the page asks six queries at once; a service that runs two at a time refuses the rest with 503
        service = ReadService.start(ReadConfig.parse(new String[] {"--port", "0", "--redis", redis.uri(),
                "--max-concurrent-queries", "2"}, Map.of()));
        browser = chromium();
        browser.get("http://127.0.0.1:" + service.port() + "/");
        awaitNumbers();
        await(() -> !browser.findElements(By.cssSelector("#realtime-minutes tr")).isEmpty()
                && !browser.findElements(By.cssSelector("#top-pages tr[data-page]")).isEmpty(), "every panel filled",
                Duration.ofSeconds(10));
        assertThat(browser.findElement(By.id("error")).isDisplayed()).as("no error left on the page").isFalse();
    }

    @Test
    void withATokenThePageAsksForItOrTakesItFromTheFragmentAndSendsItAsBearer() throws Exception {
        service = ReadService.start(ReadConfig.parse(new String[] {"--port", "0", "--redis", redis.uri(), "--api-token",
                "s3cret token"}, Map.of()));
        browser = chromium();
        String base = "http://127.0.0.1:" + service.port() + "/";
        browser.get(base);
        await(() -> browser.findElement(By.id("token-panel")).isDisplayed(), "the token form", Duration.ofSeconds(10));
        browser.findElement(By.id("token")).sendKeys("s3cret token");
        browser.findElement(By.cssSelector("#token-form button")).click();
        awaitNumbers();
        awaitText(By.id("live"), "live", Duration.ofSeconds(10));
        assertThat(browser.findElement(By.id("token-panel")).isDisplayed()).isFalse();

        browser.quit();
        browser = chromium();
        browser.get(base + "#token=s3cret%20token");
        awaitNumbers();
        awaitText(By.id("live"), "live", Duration.ofSeconds(10));
        assertThat(browser.getCurrentUrl()).as("the token is not left in the address bar").doesNotContain("token");
        assertThat(browser.findElement(By.id("token-panel")).isDisplayed()).isFalse();
    }

    /** Chooses a date range in the picker, as a user does (the page reacts to the change event). */
    private void pick(String range) {
        js("const r = document.getElementById('range'); r.value = '" + range + "'; r.dispatchEvent(new Event('change'))");
    }

    private static long currentSeq() {
        try (RedisClient client = RedisClient.create(redis.host(), redis.port())) {
            return Long.parseLong(client.hget(fixture.layout().meta(), "seq"));
        }
    }

    /** The page shows the numbers of a commit: the queries were let through. */
    private void awaitNumbers() throws InterruptedException {
        await(() -> browser.findElement(By.id("pageviews")).getText().matches("[\\d,]+")
                && browser.findElement(By.id("seq")).getText().matches("\\d+"), "numbers on the page", Duration.ofSeconds(10));
    }

    /** A number as the page shows it (en-US grouping). */
    private static String shown(long n) {
        return String.format(java.util.Locale.US, "%,d", n);
    }

    private static long start(LocalDate day) {
        return day.atStartOfDay(ZONE).toEpochSecond();
    }

    private void awaitText(By locator, String expected, Duration within) throws InterruptedException {
        String[] last = {null};
        await(() -> {
            try {
                List<org.openqa.selenium.WebElement> found = browser.findElements(locator);
                last[0] = found.isEmpty() ? "(no element)" : found.get(0).getText();
            } catch (org.openqa.selenium.StaleElementReferenceException redrawn) {
                return false; // the page replaced the row between finding and reading it: look again
            }
            return expected.equals(last[0]);
        }, locator + " to show " + expected + " (shows " + "%s" + ")", within, () -> last[0]);
    }

    private void await(Supplier<Boolean> condition, String what, Duration within) throws InterruptedException {
        await(condition, what, within, () -> "");
    }

    private void await(Supplier<Boolean> condition, String what, Duration within, Supplier<String> shown)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                screenshot("dashboard-failed.png");
                throw new AssertionError("waited " + within.toMillis() + " ms for " + String.format(what, shown.get())
                        + "; page: " + js("return ['live', 'seq', 'lag', 'error'].map(id => id + '=' + "
                        + "document.getElementById(id).textContent).join(', ')")
                + "; stream: " + js("return window.pageviewsDashboard.streamLog.join(' | ')") + "; console: " + console());
            }
            Thread.sleep(50);
        }
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    /** Saves the page to {@code target/<name>}; the passing one also to {@code docs/}, for the README. */
    private void screenshot(String name) {
        try {
            Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
            Files.createDirectories(Path.of("target"));
            Files.copy(png, Path.of("target", name), StandardCopyOption.REPLACE_EXISTING);
            Path docs = Path.of("..", "docs");
            if (name.equals("dashboard.png") && Files.isDirectory(docs.getParent().resolve("read-service"))) {
                Files.createDirectories(docs);
                Files.copy(png, docs.resolve("dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (Exception e) {
            LOG.warn("No screenshot", e);
        }
    }

    private String console() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage)
                .collect(Collectors.joining(" | "));
    }

    /** No uncaught error in the page (the browser's console log). */
    private void assertNoPageErrors() {
        List<String> severe = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .collect(Collectors.toList());
        assertThat(severe).as("errors in the browser console").isEmpty();
    }

    private static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--window-size=1280,1500");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService driverService = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(driverService, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(10));
        return driver;
    }
}
