package dev.pageviews.local;

import dev.pageviews.local.browser.HeadlessChromium;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.event.PageKeys;
import dev.pageviews.job.JobConfig;
import dev.pageviews.local.browser.SwitchableProxy;
import dev.pageviews.local.browser.TestSite;
import dev.pageviews.stack.LocalStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

/**
 * The browser tracker {@code pv.js} in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}), served
 * by the edge of {@code ./pageviews up} and loaded by pages of another origin; every test asserts exact counts in
 * Redis, after the job's next checkpoints too.
 */
class TrackerBrowserIT {

    private static final Logger LOG = LoggerFactory.getLogger(TrackerBrowserIT.class);
    private static final int MAX_PAGE_LENGTH = Integer.parseInt(JobConfig.MAX_PAGE_LENGTH.defaultText());

    private static final String SITE_KEY = "browser-site-key-1";
    private static final Path DATA_DIR = LocalStackExtension.newWorkDir();
    private static final UpProcesses UP = new UpProcesses(DATA_DIR);
    private static Process up;
    private static TestSite site;
    private WebDriver browser;

    @BeforeAll
    static void startThePipelineAndTheSite() throws Exception {
        HeadlessChromium.assertInstalled();
        up = UP.start("browser", Map.of("EDGE_SITE_KEYS", SITE_KEY));
        UP.awaitReady();
        site = new TestSite();
    }

    @AfterEach
    void closeTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (site != null) {
            site.close();
        }
        if (up != null) {
            UP.stop(up);
        }
        UP.killLeftovers();
    }

    @Test
    void aLoadIsOneViewEachSpaNavigationOneMoreAndAReloadOneMore() throws Exception {
        String prefix = site.page("spa", page(scriptTag("")));
        browser = chromium(false);

        browser.get(site.url(prefix));
        awaitCounts(Map.of(prefix, 1L));
        js("history.pushState({}, '', '" + prefix + "a')");
        js("history.pushState({}, '', '" + prefix + "b?tab=2#x')");
        js("history.replaceState({}, '', '" + prefix + "b?tab=3')"); // the same page_url: not a new view
        js("history.back()"); // popstate to /a
        awaitCounts(Map.of(prefix, 1L, prefix + "a", 2L, prefix + "b", 1L));
        browser.navigate().refresh();

        Map<String, Long> expected = Map.of(prefix, 1L, prefix + "a", 3L, prefix + "b", 1L);
        assertExactAfterCheckpoints(expected);
        LOG.info("load, pushState a, pushState b (query and fragment dropped), replaceState b, back to a, reload: {}",
                expected);
        assertNoPageErrors();
    }

    @Test
    void aViewSentWhileTheEdgeIsUnreachableArrivesLaterAndCountsOnceThoughAnEarlierTryReachedKafka() throws Exception {
        try (SwitchableProxy proxy = new SwitchableProxy(UP.httpPort)) {
            String endpoint = "http://127.0.0.1:" + proxy.port() + "/api/v1/track";
            String prefix = site.page("offline", page(scriptTag("data-endpoint=\"" + endpoint + "\"")));
            browser = chromium(false);
            proxy.mode(SwitchableProxy.Mode.DOWN);

            browser.get(site.url(prefix));
            awaitAtLeast(proxy::refused, 1, "a send that found the edge unreachable");
            proxy.mode(SwitchableProxy.Mode.DROP_RESPONSES);
            awaitAtLeast(proxy::dropped, 1, "a retry that reached Kafka, its answer lost");
            proxy.mode(SwitchableProxy.Mode.UP);

            Map<String, Long> expected = Map.of(prefix, 1L);
            assertExactAfterCheckpoints(expected);
            LOG.info("edge unreachable ({} refused), then {} answer(s) lost after Kafka took the view, then up: {}",
                    proxy.refused(), proxy.dropped(), expected);
            assertThat(outboxLength())
                    .as("the outbox is empty once the edge answered").isZero();
        }
    }

    @Test
    void leavingRightAfterTheLoadStillCountsTheView() throws Exception {
        String next = site.url("/no-tracker-" + System.nanoTime());
        String prefix = site.page("leave", page(scriptTag("")
                + "<script>document.addEventListener('DOMContentLoaded', function () { location.replace('" + next
                + "'); });</script>"));
        browser = chromium(false);

        browser.get(site.url(prefix));

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!browser.getCurrentUrl().equals(next) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(browser.getCurrentUrl()).isEqualTo(next);
        Map<String, Long> expected = Map.of(prefix, 1L);
        assertExactAfterCheckpoints(expected);
        LOG.info("left for a page without pv.js as soon as the DOM was ready: {}", expected);
    }

    /**
     * The wrong key's view cannot reach the edge at first, so it is still in the outbox when the keyed page loads and
     * sends the outbox: it must go with its own page's key (and be refused), not with the keyed page's.
     */
    @Test
    void aSiteKeyGoesWithEveryViewAndAnUnknownOneIsRefused() throws Exception {
        try (SwitchableProxy proxy = new SwitchableProxy(UP.httpPort)) {
            String keyed = site.page("keyed", page(scriptTag("data-site-key=\"" + SITE_KEY + "\"")));
            String wrong = site.page("wrong-key", page(scriptTag("data-site-key=\"not-a-site-key-0\" data-endpoint=\""
                    + "http://127.0.0.1:" + proxy.port() + "/api/v1/track\"")));
            browser = chromium(false);
            proxy.mode(SwitchableProxy.Mode.DOWN);

            browser.get(site.url(wrong));
            awaitAtLeast(proxy::refused, 1, "a send of the wrong key's view that found the edge unreachable");
            proxy.mode(SwitchableProxy.Mode.UP);
            browser.get(site.url(keyed));

            Map<String, Long> expected = new LinkedHashMap<>();
            expected.put(keyed, 1L);
            expected.put(wrong, 0L);
            assertExactAfterCheckpoints(expected);
            LOG.info("data-site-key: the edge's key counted, an unknown key refused with 403 and not retried, also "
                    + "when another page sent it: {}", expected);
            assertThat(outboxLength())
                    .as("the refused view left the outbox").isZero();
        }
    }

    @Test
    void doNotTrackIsHonouredWhenThePageAsksForIt() throws Exception {
        String respecting = site.page("dnt", page(scriptTag("data-respect-dnt=\"true\"")));
        String ignoring = site.page("no-dnt", page(scriptTag("")));
        browser = chromium(true);

        browser.get(site.url(respecting));
        js("history.pushState({}, '', '" + respecting + "next')");
        browser.get(site.url(ignoring)); // counted: the script ran, the browser sends Do-Not-Track

        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put(ignoring, 1L);
        expected.put(respecting, 0L);
        expected.put(respecting + "next", 0L);
        assertExactAfterCheckpoints(expected);
        assertThat(js("return navigator.doNotTrack")).isEqualTo("1");
        LOG.info("Do-Not-Track on: data-respect-dnt=true page and its SPA navigation not counted, another page counted: {}",
                expected);
    }

    @Test
    void oddInputsNeverThrowIntoThePageAndReachTheEdgeValidOrNotAtAll() throws Exception {
        String prefix = site.page("odd", "<!doctype html><title>odd</title><script>"
                // the page breaks what the script relies on: storage that throws, a bad user id set early
                + "Storage.prototype.setItem = function () { throw new Error('quota'); };"
                + "window.pv = {q: [['user', {}], ['user', 'x'.repeat(300)], ['view', 'http://[bad'], ['nonsense']]};"
                + "</script>" + scriptTag("data-keep-params=\",,ref, ,\"") + "<p>odd</p>");
        browser = chromium(false);

        browser.get(site.url(prefix + "?ref=a%20b&drop=1"));
        awaitCounts(Map.of(prefix + "?ref=a+b", 1L));
        String longPath = prefix + "l".repeat(5000);
        js("history.pushState({}, '', '" + longPath + "')");
        js("history.pushState({}, '', '" + prefix + "ü ö%ZZ\u2603?ref=1#frag')");
        // pv('view', null) counts the current page again, as pv('view') does
        js("pv('view', null); pv('view', 'http://[still-bad'); pv(); pv('user', null); pv('view', '/manual" + prefix + "')");

        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put(prefix + "?ref=a+b", 1L);
        expected.put(longPath.substring(0, 2048), 1L);
        expected.put(prefix + "%C3%BC%20%C3%B6%ZZ%E2%98%83?ref=1", 2L);
        expected.put("/manual" + prefix, 1L);
        assertExactAfterCheckpoints(expected);
        assertNoPageErrors();
        assertThat(edgeMetrics()).as("no invalid view reached the edge")
                .doesNotContain("edge_http_requests_total{route=\"/api/v1/track\",status=\"400\"}")
                .contains("edge_http_requests_total{route=\"/api/v1/track\",status=\"202\"}");
        LOG.info("odd inputs (throwing storage, bad user ids, bad URLs, 5,000-char path, non-ASCII path): no page error, "
                + "counts {}", expected.entrySet().stream().collect(Collectors.toMap(
                        e -> e.getKey().length() > 80 ? e.getKey().substring(0, 40) + "...(" + e.getKey().length() + " chars)"
                                : e.getKey(), Map.Entry::getValue)));
    }

    private static String edgeMetrics() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        return http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + UP.edgeAdminPort + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String page(String body) {
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>test page</title>" + body
                + "</head><body><p>test page</p></body></html>";
    }

    private static String scriptTag(String attributes) {
        return "<script defer src=\"http://127.0.0.1:" + UP.httpPort + "/pv.js\" " + attributes + "></script>";
    }

    private WebDriver chromium(boolean doNotTrack) {
        return HeadlessChromium.start(options -> {
            if (doNotTrack) {
                options.setExperimentalOption("prefs", Map.of("enable_do_not_track", true));
            }
        });
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    /** No uncaught error in the page (the browser's console log). */
    private void assertNoPageErrors() {
        List<String> severe = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .collect(Collectors.toList());
        assertThat(severe).as("errors in the browser console").isEmpty();
    }

    /** The views pv.js still keeps to send. */
    private int outboxLength() {
        return ((Number) js("return JSON.parse(localStorage.getItem('pv_outbox')).length")).intValue();
    }

    /** The count of each page_url as pv.js sent it, read from its page key (the field the job counts it in). */
    private static Map<String, Long> counts(Iterable<String> pages) {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Jedis jedis = new Jedis("127.0.0.1", UP.redisPort)) {
            for (String page : pages) {
                String value = jedis.hget("page_views", PageKeys.of(page, MAX_PAGE_LENGTH));
                counts.put(page, value == null ? 0L : Long.parseLong(value));
            }
        }
        return counts;
    }

    private static void awaitCounts(Map<String, Long> expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!counts(expected.keySet()).equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(counts(expected.keySet())).isEqualTo(expected);
    }

    /** The counts are reached, and still the same after the job's next checkpoints: nothing arrives twice. */
    private static void assertExactAfterCheckpoints(Map<String, Long> expected) throws InterruptedException {
        awaitCounts(expected);
        Thread.sleep(4000);
        assertThat(counts(expected.keySet())).isEqualTo(expected);
    }

    private static void awaitAtLeast(java.util.function.IntSupplier value, int atLeast, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (value.getAsInt() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(value.getAsInt()).as(what).isGreaterThanOrEqualTo(atLeast);
    }
}
