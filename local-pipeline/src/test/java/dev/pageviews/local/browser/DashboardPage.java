package dev.pageviews.local.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The read service's dashboard in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}), read as a
 * person reads it: the text on screen, plus the main chart's data from what the page exposes for a look from the
 * console ({@code window.pageviewsDashboard.charts.total}: the bucket labels and the uPlot data drawn).
 */
public final class DashboardPage implements AutoCloseable {

    private final WebDriver browser;

    private DashboardPage(WebDriver browser) {
        this.browser = browser;
    }

    public static void assertChromiumInstalled() {
        HeadlessChromium.assertInstalled();
    }

    /** Opens {@code http://127.0.0.1:<statsPort>/} (the range picker at its default, today). */
    public static DashboardPage open(int statsPort) {
        ChromeDriver driver = HeadlessChromium.start(options -> options.addArguments("--window-size=1280,1500"));
        DashboardPage page = new DashboardPage(driver);
        try {
            driver.get("http://127.0.0.1:" + statsPort + "/");
        } catch (RuntimeException e) {
            page.close();
            throw e;
        }
        return page;
    }

    /** Waits until the stream is connected and the numbers of commit {@code seq} (or a later one) are drawn. */
    public void awaitLoaded(long seq, Duration within) throws InterruptedException {
        awaitTrue(() -> text("live").equals("live") && text("seq").matches("\\d+") && Long.parseLong(text("seq")) >= seq
                && text("pageviews").matches("[\\d,]+") && Boolean.FALSE.equals(js("return window.pageviewsDashboard.loading")),
                "the page loaded with commit " + seq + " and its stream connected", System.nanoTime() + within.toNanos());
    }

    /** Marks this page load; {@link #reloaded} tells whether the page was loaded again since. */
    public void markLoaded() {
        js("window.loadedOnce = true");
    }

    public boolean reloaded() {
        return !Boolean.TRUE.equals(js("return window.loadedOnce === true"));
    }

    /** The text of the element with this id ({@code textContent}: also of collapsed or hidden parts). */
    public String text(String id) {
        Object text = js("const e = document.getElementById(arguments[0]); return e ? e.textContent : '(no element)'", id);
        return String.valueOf(text);
    }

    /** A count shown in the element with this id; 0 for none ("–"). */
    public long number(String id) {
        String text = text(id).replace(",", "");
        return text.matches("\\d+") ? Long.parseLong(text) : 0;
    }

    /** The realtime panel's row of the minute labelled {@code label} ("2026-12-07 14:05:00"): its views as shown. */
    public String realtimeMinuteText(String label) {
        Object text = js("const r = document.querySelector(\"#realtime-minutes tr[data-label='\" + arguments[0] + \"']\");"
                + "return r ? r.lastElementChild.textContent : '(no row)'", label);
        return String.valueOf(text);
    }

    public long realtimeMinute(String label) {
        String text = realtimeMinuteText(label).replace(",", "");
        return text.matches("\\d+") ? Long.parseLong(text) : 0;
    }

    /** The top pages table: page → {views, visitors} as shown. */
    public Map<String, String[]> topPages() {
        @SuppressWarnings("unchecked")
        List<List<String>> rows = (List<List<String>>) js("return [...document.querySelectorAll('#top-pages tbody tr')]"
                + ".map(r => [r.dataset.page, r.children[1].textContent, r.children[2].textContent])");
        Map<String, String[]> top = new TreeMap<>();
        for (List<String> row : rows) {
            top.put(row.get(0), new String[] {row.get(1), row.get(2)});
        }
        return top;
    }

    /** The main chart's buckets with views, as drawn: label → views. */
    public Map<String, Long> chartHours() {
        @SuppressWarnings("unchecked")
        List<List<Object>> points = (List<List<Object>>) js("const c = window.pageviewsDashboard.charts.total;"
                + "if (!c) { return []; }"
                + "return c.labels.map((label, i) => [label, c.plot.data[1][i]]).filter(p => p[1])");
        Map<String, Long> hours = new TreeMap<>();
        for (List<Object> point : points) {
            hours.put((String) point.get(0), ((Number) point.get(1)).longValue());
        }
        return hours;
    }

    /** The lag in the header ("3.2 s", "4 min"), in seconds; infinite when none is shown. */
    public double lagSeconds() {
        String lag = text("lag").trim();
        if (lag.endsWith(" s")) {
            return Double.parseDouble(lag.substring(0, lag.length() - 2));
        }
        if (lag.endsWith(" min")) {
            return 60 * Double.parseDouble(lag.substring(0, lag.length() - 4));
        }
        return Double.POSITIVE_INFINITY;
    }

    /**
     * Reads {@code shown} until it equals {@code expected} or the deadline ({@link System#nanoTime}) passes; returns the
     * last reading (the caller asserts it).
     */
    public <T> T await(Supplier<T> shown, T expected, long deadlineNanos) throws InterruptedException {
        T last = shown.get();
        while (!last.equals(expected) && System.nanoTime() < deadlineNanos) {
            Thread.sleep(50);
            last = shown.get();
        }
        return last;
    }

    private void awaitTrue(Supplier<Boolean> condition, String what, long deadlineNanos) throws InterruptedException {
        while (!condition.get()) {
            if (System.nanoTime() > deadlineNanos) {
                throw new AssertionError("waited for " + what + "; page: " + state());
            }
            Thread.sleep(50);
        }
    }

    /** The header, the error line and the stream's last state changes, for a failure message. */
    public String state() {
        return js("return ['live', 'seq', 'lag', 'pageviews', 'error'].map(id => id + '=' + "
                + "document.getElementById(id).textContent).join(', ')") + "; stream: "
                + js("return window.pageviewsDashboard.streamLog.join(' | ')") + "; console: " + console();
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    /** Saves what the page shows as a PNG. */
    public void screenshot(Path png) throws java.io.IOException {
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.copy(shot, png, StandardCopyOption.REPLACE_EXISTING);
    }

    /** No uncaught error in the page (the browser's console log). */
    public void assertNoErrors() {
        List<String> severe = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .collect(Collectors.toList());
        assertThat(severe).as("errors in the browser console").isEmpty();
    }

    private String console() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage)
                .collect(Collectors.joining(" | "));
    }

    /** A count as the page shows it (en-US grouping). */
    public static String shown(long n) {
        return String.format(Locale.US, "%,d", n);
    }

    @Override
    public void close() {
        browser.quit();
    }
}
