package dev.pageviews.local;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import redis.clients.jedis.Jedis;

/**
 * Posts page views to the edge over real HTTP, as a client does (alone or in batches, with or without an
 * {@code event_id} of its own), keeps the counts the job must come to, and waits for Redis to show them exactly.
 *
 * <p>What a view adds to its page's expected count once the edge answered 202: one, if it has no event id; one
 * for the first copy of an event id, none for later copies, while the job deduplicates ({@code --dedup-window}
 * above 0; {@link #deduplicating}); one for every copy while it does not.
 */
final class PipelineTraffic {

    /** A view as the client sends it, every time; {@code eventId} null for a view without the client's own id. */
    record View(String userId, String pageUrl, long timestamp, String eventId) {
        String json() {
            return "{\"user_id\":\"" + userId + "\",\"page_url\":\"" + pageUrl + "\",\"timestamp\":" + timestamp
                    + (eventId == null ? "" : ",\"event_id\":\"" + eventId + "\"") + "}";
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;
    private final Map<String, Long> expected = new TreeMap<>();
    private final Set<String> countedIds = new HashSet<>();
    private boolean deduplicating = true;

    PipelineTraffic(int port, Map<String, Long> alreadyCounted) {
        this.port = port;
        this.expected.putAll(alreadyCounted);
    }

    /** Posts one view without an event id; returns the HTTP status. Only a 202 is counted as expected. */
    int post(String userId, String pageUrl, long timestamp) throws Exception {
        return post(new View(userId, pageUrl, timestamp, null));
    }

    /** Posts one view to {@code /api/v1/track}; returns the HTTP status. */
    int post(View view) throws Exception {
        int status = send("/api/v1/track", view.json());
        if (status == 202) {
            accepted(view);
        }
        return status;
    }

    /** Posts views to {@code /api/v1/track/batch}; returns the HTTP status. A 202 means all were stored (all are valid). */
    int postBatch(List<View> views) throws Exception {
        int status = send("/api/v1/track/batch", views.stream().map(View::json).collect(Collectors.joining(",", "[", "]")));
        if (status == 202) {
            views.forEach(this::accepted);
        }
        return status;
    }

    /**
     * Whether the job of the next run deduplicates. Switching it off also forgets the ids counted so far, as the job
     * drops their state; switched on again, it remembers ids from then on.
     */
    void deduplicating(boolean on) {
        deduplicating = on;
        if (!on) {
            countedIds.clear();
        }
    }

    private void accepted(View view) {
        if (view.eventId() == null || !deduplicating || countedIds.add(view.eventId())) {
            expected.merge(view.pageUrl(), 1L, Long::sum);
        }
    }

    private int send(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
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
