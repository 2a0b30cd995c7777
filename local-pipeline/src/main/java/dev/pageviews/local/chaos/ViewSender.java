package dev.pageviews.local.chaos;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Posts views to the edge over real HTTP, one client (and so its own connections) per sender, and records
 * each request's outcome in the {@link Ledger}. The edge answers within its Kafka delivery timeout (5 s), so a
 * request that takes longer than {@link #REQUEST_TIMEOUT} has an unknown outcome.
 */
final class ViewSender {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final Pattern ACCEPTED = Pattern.compile("\"accepted\"\\s*:\\s*(\\d+)");

    /** One view to send. */
    record View(String userId, String page, long timestamp) {
        String json() {
            return "{\"user_id\":\"" + userId + "\",\"page_url\":\"" + page + "\",\"timestamp\":" + timestamp + "}";
        }
    }

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .build();
    private final IntSupplier port;
    private final Ledger ledger;

    /** {@code port} is read per request: the edge keeps its port across restarts, but tests may move it. */
    ViewSender(IntSupplier port, Ledger ledger) {
        this.port = port;
        this.ledger = ledger;
    }

    /** Sends one view to {@code /api/v1/track}; returns its outcome, already recorded. */
    Ledger.Outcome single(View view, boolean lossChecked) {
        Reply reply = post("/api/v1/track", view.json());
        Ledger.Outcome outcome = reply.outcome();
        if (reply.status() == 503) {
            ledger.answered503(1);
        }
        if (lossChecked) {
            ledger.record(view.page(), outcome, 1);
        } else {
            ledger.recordUnchecked(view.page(), outcome, 1);
        }
        return outcome;
    }

    /**
     * Sends views that all name one page to {@code /api/v1/track/batch}. A 503 reply says how many were
     * stored ({@code accepted}); the others have an unknown outcome (Kafka may still have written them).
     */
    Ledger.Outcome batch(String page, List<View> views) {
        StringBuilder body = new StringBuilder("[");
        for (View view : views) {
            if (body.length() > 1) {
                body.append(',');
            }
            body.append(view.json());
        }
        Reply reply = post("/api/v1/track/batch", body.append(']').toString());
        Ledger.Outcome outcome = reply.outcome();
        int size = views.size();
        if (reply.status() / 100 == 2 || reply.status() == 503) {
            int accepted = Math.min(size, reply.accepted());
            ledger.record(page, Ledger.Outcome.ACCEPTED, accepted);
            // 202 lists refused events (none are expected); 503 lists the ones Kafka did not acknowledge
            ledger.record(page, reply.status() == 503 ? Ledger.Outcome.UNKNOWN : Ledger.Outcome.REJECTED, size - accepted);
            if (reply.status() == 503) {
                ledger.answered503(size - accepted);
            }
        } else {
            ledger.record(page, outcome, size);
        }
        return outcome;
    }

    private record Reply(int status, int accepted, boolean connectionRefused) {
        Ledger.Outcome outcome() {
            if (connectionRefused) {
                return Ledger.Outcome.NOT_DELIVERED;
            }
            if (status / 100 == 2) {
                return Ledger.Outcome.ACCEPTED;
            }
            if (status / 100 == 4) {
                return Ledger.Outcome.REJECTED;
            }
            return Ledger.Outcome.UNKNOWN; // 503, other 5xx, or no answer at all (status 0)
        }
    }

    private Reply post(String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.getAsInt() + path))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            Matcher m = ACCEPTED.matcher(response.body());
            return new Reply(response.statusCode(), m.find() ? Integer.parseInt(m.group(1)) : 0, false);
        } catch (IOException e) {
            return new Reply(0, 0, neverConnected(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(0, 0, false); // sent, perhaps: unknown
        }
    }

    /** Only a refused or timed-out connect proves the edge never read the request; a reset after it may have. */
    private static boolean neverConnected(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
