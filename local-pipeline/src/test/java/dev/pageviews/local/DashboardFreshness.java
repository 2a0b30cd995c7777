package dev.pageviews.local;

import dev.pageviews.local.browser.DashboardPage;
import dev.pageviews.stack.LocalStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import redis.clients.jedis.Jedis;

/**
 * {@code ./pageviews bench dashboard}: how long a view takes from the edge's 202 to the dashboard's screen, against
 * {@code ./pageviews up} with its default settings (a fresh data dir, ports of its own) and headless Chromium.
 *
 * <p>A background of {@code rate} views a second (real time, 200 pages, 1,000 users) runs throughout. Each probe is one
 * POST of a batch of views of a page of its own, one view more than the probe before, so it tops the dashboard's top
 * pages the moment it is counted. A {@code MutationObserver} in the page stamps the moment the probe's row shows its
 * exact count ({@code performance.timeOrigin + performance.now()}: the wall clock, as the test's own stamps); the test
 * also polls the counts hash every 10 ms, so each probe gives its POST→Redis and its POST→screen time in the same run.
 *
 * <p>Arguments (name=value): {@code probes} (100), {@code rate} (5 views/s), {@code warmup} (10 s).
 */
public final class DashboardFreshness {

    private static final String OBSERVER = String.join("\n",
            "window.__probe = null;",
            "window.__seen = {};",
            "const check = () => {",
            "  const p = window.__probe;",
            "  if (!p || window.__seen[p.page]) { return; }",
            "  const row = [...document.querySelectorAll('#top-pages tbody tr')].find(r => r.dataset.page === p.page);",
            "  if (row && row.children[1].textContent === p.shown) {",
            "    window.__seen[p.page] = performance.timeOrigin + performance.now();",
            "  }",
            "};",
            "new MutationObserver(check).observe(document.getElementById('top-pages'),",
            "  {childList: true, subtree: true, characterData: true});");

    private DashboardFreshness() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("arguments are name=value (probes, rate, warmup), not '" + arg + "'");
            }
            options.put(kv[0], kv[1]);
        }
        int probes = Integer.parseInt(options.getOrDefault("probes", "100"));
        double rate = Double.parseDouble(options.getOrDefault("rate", "5"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "10"));

        UpProcesses ups = new UpProcesses(LocalStackExtension.newWorkDir());
        Process up = null;
        AtomicBoolean running = new AtomicBoolean(true);
        Thread background = null;
        try {
            long started = System.nanoTime();
            up = ups.start("bench-dashboard", Map.of());
            ups.awaitReady();
            System.out.printf("up ready after %.1f s (data dir %s, stats port %d)%n", (System.nanoTime() - started) / 1e9,
                    ups.dataDir, ups.statsPort);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            AtomicLong backgroundSent = new AtomicLong();
            background = new Thread(() -> sendBackground(http, ups.httpPort, rate, running, backgroundSent), "background");
            background.setDaemon(true);
            background.start();
            Thread.sleep(warmup * 1000L);

            try (DashboardPage page = DashboardPage.open(ups.statsPort); Jedis redis = new Jedis("127.0.0.1", ups.redisPort)) {
                page.awaitLoaded(1, Duration.ofSeconds(60));
                page.js(OBSERVER);
                String run = Long.toString(System.nanoTime(), 36);
                List<long[]> results = new ArrayList<>(); // per probe: {202 to Redis, 202 to screen}, microseconds
                List<String> slow = new ArrayList<>();
                Random random = new Random(7);
                for (int probe = 1; probe <= probes; probe++) {
                    String pageName = "/probe-" + run + "-" + probe;
                    int views = 20 + probe; // one more than the probe before: the new probe tops the list
                    page.js("window.__probe = {page: arguments[0], shown: arguments[1]}", pageName, DashboardPage.shown(views));
                    long now = Instant.now().getEpochSecond();
                    String body = IntStream.range(0, views)
                            .mapToObj(i -> "{\"user_id\":\"probe-" + i + "\",\"page_url\":\"" + pageName + "\",\"timestamp\":" + now + "}")
                            .collect(Collectors.joining(",", "[", "]"));
                    int status = post(http, ups.httpPort, "/api/v1/track/batch", body);
                    double answered = epochMillisNow();
                    if (status != 202) {
                        throw new IllegalStateException("probe " + probe + " got HTTP " + status);
                    }
                    double inRedis = awaitInRedis(redis, pageName, views, answered);
                    double onScreen = awaitOnScreen(page, pageName, answered);
                    long toRedis = Math.round((inRedis - answered) * 1000);
                    long toScreen = Math.round((onScreen - answered) * 1000);
                    results.add(new long[] {toRedis, toScreen});
                    if (toScreen > 3_000_000) {
                        slow.add(String.format("probe %d: Redis %.0f ms, screen %.0f ms", probe, toRedis / 1000.0,
                                toScreen / 1000.0));
                    }
                    Thread.sleep(500 + random.nextInt(1000)); // probes at no fixed phase of the checkpoints
                }
                System.out.printf("%d probes (batches of 21 to %d views of a page of their own), background %.1f views/s "
                        + "(%d sent), the job's defaults (checkpoint 2 s)%n", probes, 20 + probes, rate, backgroundSent.get());
                print("POST answered 202 -> in Redis (counts hash)", results, 0);
                print("POST answered 202 -> on screen (Chromium)", results, 1);
                List<long[]> difference = results.stream().map(r -> new long[] {r[1] - r[0]}).toList();
                print("in Redis -> on screen", difference, 0);
                slow.forEach(line -> System.out.println("  over 3 s: " + line));
                page.assertNoErrors();
            }
        } finally {
            running.set(false);
            if (background != null) {
                background.join(5000);
            }
            if (up != null) {
                ups.stop(up);
            }
            ups.killLeftovers();
        }
    }

    private static double epochMillisNow() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1000.0 + now.getNano() / 1e6;
    }

    private static double awaitInRedis(Jedis redis, String page, int views, double since) throws InterruptedException {
        String expected = Integer.toString(views);
        while (!expected.equals(redis.hget("page_views", page))) {
            if (epochMillisNow() - since > 60_000) {
                throw new IllegalStateException(page + " not counted in Redis within 60 s");
            }
            Thread.sleep(10);
        }
        return epochMillisNow();
    }

    private static double awaitOnScreen(DashboardPage page, String pageName, double since) throws InterruptedException {
        while (true) {
            Object seen = page.js("return window.__seen[arguments[0]] || null", pageName);
            if (seen != null) {
                return ((Number) seen).doubleValue();
            }
            if (epochMillisNow() - since > 60_000) {
                throw new IllegalStateException(pageName + " not on screen within 60 s; page: " + page.state());
            }
            Thread.sleep(20);
        }
    }

    private static void print(String what, List<long[]> results, int column) {
        long[] sorted = results.stream().mapToLong(r -> r[column]).sorted().toArray();
        System.out.printf("%-46s p50 %,7.0f ms   p99 %,7.0f ms   max %,7.0f ms%n", what, percentile(sorted, 50) / 1000.0,
                percentile(sorted, 99) / 1000.0, sorted[sorted.length - 1] / 1000.0);
    }

    /** The nearest-rank percentile. */
    private static long percentile(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static void sendBackground(HttpClient http, int port, double rate, AtomicBoolean running, AtomicLong sent) {
        Random random = new Random(11);
        long pause = Math.max(1, Math.round(1000 / rate));
        while (running.get()) {
            String body = "{\"user_id\":\"u" + random.nextInt(1000) + "\",\"page_url\":\"/page/" + random.nextInt(200)
                    + "\",\"timestamp\":" + Instant.now().getEpochSecond() + "}";
            try {
                if (post(http, port, "/api/v1/track", body) == 202) {
                    sent.incrementAndGet();
                }
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                System.err.println("background view failed: " + e.getMessage());
            }
        }
    }

    private static int post(HttpClient http, int port, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
