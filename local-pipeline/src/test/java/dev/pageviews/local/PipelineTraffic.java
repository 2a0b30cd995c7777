package dev.pageviews.local;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/** Posts page views to the edge over real HTTP and waits for Redis to show the exact counts. */
final class PipelineTraffic {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;
    private final Map<String, Long> expected = new TreeMap<>();

    PipelineTraffic(int port, Map<String, Long> alreadyCounted) {
        this.port = port;
        this.expected.putAll(alreadyCounted);
    }

    /** Posts one view; returns the HTTP status. Only a 202 is counted as expected. */
    int post(String userId, String pageUrl, long timestamp) throws Exception {
        String body = "{\"user_id\":\"" + userId + "\",\"page_url\":\"" + pageUrl + "\",\"timestamp\":" + timestamp + "}";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/track"))
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 202) {
            expected.merge(pageUrl, 1L, Long::sum);
        }
        return response.statusCode();
    }

    Map<String, Long> expected() {
        return new TreeMap<>(expected);
    }

    static Map<String, Long> counts(Jedis jedis) {
        Map<String, Long> counts = new TreeMap<>();
        jedis.hgetAll("page_views").forEach((k, v) -> counts.put(k, Long.parseLong(v)));
        return counts;
    }

    /** Waits for exactly the expected counts; stops early if anything is counted twice. */
    static Map<String, Long> awaitCounts(Jedis jedis, Map<String, Long> expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Long> actual = counts(jedis);
        while (!actual.equals(expected) && System.nanoTime() < deadline && !overCounted(expected, actual)) {
            TimeUnit.MILLISECONDS.sleep(200);
            actual = counts(jedis);
        }
        return actual;
    }

    private static boolean overCounted(Map<String, Long> expected, Map<String, Long> actual) {
        return actual.entrySet().stream().anyMatch(e -> e.getValue() > expected.getOrDefault(e.getKey(), 0L));
    }
}
