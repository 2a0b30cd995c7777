package dev.pageviews.chaos;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Posts views to the edge over real HTTP, one client (and so its own connections) per sender, as a careful client
 * does: every view carries an {@code event_id} of its own, and a view whose try had no definite answer (timeout,
 * reset, refused connection, 503) is sent again with the same id, after a backoff, up to {@link Retries#maxTries}
 * tries; the job counts each id once. Each view's outcome over all its tries goes into the {@link Ledger}. The edge
 * answers within its Kafka delivery timeout (5 s), so a try that takes longer than {@link #REQUEST_TIMEOUT} has an
 * unknown outcome.
 */
final class ViewSender {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final Pattern ACCEPTED = Pattern.compile("\"accepted\"\\s*:\\s*(\\d+)");
    /** An entry of a batch reply's {@code rejected} list: the event's index and why. */
    private static final Pattern REFUSED_EVENT = Pattern.compile("\\{\\s*\"index\"\\s*:\\s*(\\d+)\\s*,\\s*\"error\"\\s*:\\s*\"([a-z_]+)\"");

    /** One view to send; {@code eventId} is the client's id for it, the same on every try. */
    record View(String userId, String page, long timestamp, String eventId) {
        String json() {
            return "{\"user_id\":\"" + userId + "\",\"page_url\":\"" + page + "\",\"timestamp\":" + timestamp
                    + ",\"event_id\":\"" + eventId + "\"}";
        }
    }

    /**
     * How a view is retried: at most {@code maxTries} tries; before try n+1 a pause of {@code firstBackoff} doubled
     * n-1 times, at most {@code maxBackoff}, and never shorter than a 503's Retry-After (also capped).
     */
    record Retries(int maxTries, Duration firstBackoff, Duration maxBackoff) {
        /** One try only: the probes, which measure when the pipeline takes views again. */
        static final Retries NONE = new Retries(1, Duration.ZERO, Duration.ZERO);
        /**
         * The load: 8 tries, pausing 31.5 s in all (more with Retry-After), enough to outlast a killed edge or, mostly,
         * a killed Kafka broker (restarting one took 20 s on a busy 2-core machine).
         */
        static final Retries CLIENT = new Retries(8, Duration.ofMillis(500), Duration.ofSeconds(8));

        Duration backoff(int triesDone, int retryAfterSeconds) {
            long millis = Math.min(firstBackoff.toMillis() << Math.min(triesDone - 1, 20), maxBackoff.toMillis());
            return Duration.ofMillis(Math.max(millis, Math.min(retryAfterSeconds * 1000L, maxBackoff.toMillis())));
        }

        /** At least the longest one view can take over all its tries. */
        Duration longestView() {
            return REQUEST_TIMEOUT.multipliedBy(maxTries).plus(maxBackoff.multipliedBy(maxTries - 1));
        }
    }

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .build();
    private final IntSupplier port;
    private final Ledger ledger;
    private final Retries retries;

    /** {@code port} is read per request: the edge keeps its port across restarts, but tests may move it. */
    ViewSender(IntSupplier port, Ledger ledger, Retries retries) {
        this.port = port;
        this.ledger = ledger;
        this.retries = retries;
    }

    /** Sends one view to {@code /api/v1/track}, retried as needed; returns its outcome, already recorded. */
    Ledger.Outcome single(View view, boolean lossChecked) {
        long sentMillis = System.currentTimeMillis();
        Ledger.Outcome outcome = null;
        for (int tries = 1; ; tries++) {
            Reply reply = post("/api/v1/track", view.json());
            Ledger.Outcome now = reply.outcome();
            if (reply.status() == 503) {
                ledger.answered503(1);
            }
            outcome = Ledger.Outcome.overTries(outcome, now);
            if (now == Ledger.Outcome.ACCEPTED && tries > 1) {
                ledger.acceptedOnRetry(1);
            }
            if (!now.retried() || tries == retries.maxTries() || !pause(retries.backoff(tries, reply.retryAfter()))) {
                break;
            }
            ledger.retried(1);
        }
        if (lossChecked) {
            ledger.record(view.page(), outcome, 1, sentMillis);
        } else {
            ledger.recordUnchecked(view.page(), outcome, 1, sentMillis);
        }
        return outcome;
    }

    /**
     * Sends views to {@code /api/v1/track/batch}. A 503 reply lists the views Kafka did not acknowledge (the others are
     * stored): exactly those are sent again, as the edge asks; a try without an answer (or refused) sends all of that
     * try's views again. Each view is recorded under its own page. Returns whether every view was answered 2xx in the end.
     */
    boolean batch(List<View> views) {
        long sentMillis = System.currentTimeMillis();
        Ledger.Outcome[] outcomes = new Ledger.Outcome[views.size()];
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < views.size(); i++) {
            pending.add(i);
        }
        for (int tries = 1; ; tries++) {
            Reply reply = post("/api/v1/track/batch", json(pending.stream().map(views::get).toList()));
            Ledger.Outcome[] now = reply.perEvent(pending.size());
            List<Integer> again = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                int index = pending.get(i);
                outcomes[index] = Ledger.Outcome.overTries(outcomes[index], now[i]);
                if (now[i] == Ledger.Outcome.ACCEPTED && tries > 1) {
                    ledger.acceptedOnRetry(1);
                }
                if (now[i] == Ledger.Outcome.UNKNOWN && reply.status() == 503) {
                    ledger.answered503(1);
                }
                if (now[i].retried()) {
                    again.add(index);
                }
            }
            if (again.isEmpty() || tries == retries.maxTries() || !pause(retries.backoff(tries, reply.retryAfter()))) {
                break;
            }
            ledger.retried(again.size());
            pending = again;
        }
        java.util.Map<String, java.util.Map<Ledger.Outcome, Long>> perPage = new java.util.LinkedHashMap<>();
        for (int i = 0; i < views.size(); i++) {
            perPage.computeIfAbsent(views.get(i).page(), p -> new java.util.EnumMap<>(Ledger.Outcome.class))
                    .merge(outcomes[i], 1L, Long::sum);
        }
        perPage.forEach((page, counts) -> counts.forEach((outcome, count) -> ledger.record(page, outcome, count, sentMillis)));
        return Arrays.stream(outcomes).allMatch(o -> o == Ledger.Outcome.ACCEPTED);
    }

    /**
     * Sends a view answered 2xx once more, as a client does whose reply got lost on the way back. Its outcome stays
     * as recorded (answered 2xx: counted once); this only adds a copy, counted in {@link Ledger#resentAfter2xx()}.
     */
    void resendAccepted(View view) {
        post("/api/v1/track", view.json());
        ledger.resentAfter2xx(1);
    }

    /** {@link #resendAccepted(View)} for a batch answered 202: all of it once more. */
    void resendAccepted(List<View> batch) {
        post("/api/v1/track/batch", json(batch));
        ledger.resentAfter2xx(batch.size());
    }

    private static String json(List<View> views) {
        StringBuilder body = new StringBuilder("[");
        for (View view : views) {
            body.append(body.length() > 1 ? "," : "").append(view.json());
        }
        return body.append(']').toString();
    }

    private static boolean pause(Duration backoff) {
        try {
            Thread.sleep(backoff.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** One try's answer: status (0: none), the body, and the Retry-After seconds of a 503. */
    private record Reply(int status, String body, int retryAfter, boolean connectionRefused) {
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

        /**
         * The outcome of each of a batch's {@code size} views. A 202 or a batch's 503 lists the refused ones by index:
         * {@code invalid_event} (refused), {@code unavailable} (not acknowledged by Kafka: unknown); the others are
         * stored. Any other answer is the same for all.
         */
        Ledger.Outcome[] perEvent(int size) {
            Ledger.Outcome[] outcomes = new Ledger.Outcome[size];
            boolean listed = (status / 100 == 2 || status == 503) && ACCEPTED.matcher(body).find();
            Arrays.fill(outcomes, listed ? Ledger.Outcome.ACCEPTED : outcome());
            if (listed) {
                Matcher m = REFUSED_EVENT.matcher(body);
                while (m.find()) {
                    int index = Integer.parseInt(m.group(1));
                    if (index < size) {
                        outcomes[index] = m.group(2).equals("unavailable") ? Ledger.Outcome.UNKNOWN : Ledger.Outcome.REJECTED;
                    }
                }
            }
            return outcomes;
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
            int retryAfter = response.headers().firstValue("Retry-After").map(ViewSender::seconds).orElse(0);
            return new Reply(response.statusCode(), response.body(), retryAfter, false);
        } catch (IOException e) {
            return new Reply(0, "", 0, neverConnected(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(0, "", 0, false); // sent, perhaps: unknown
        }
    }

    private static int seconds(String retryAfter) {
        try {
            return Math.max(0, Integer.parseInt(retryAfter.trim()));
        } catch (NumberFormatException e) {
            return 0; // an HTTP date: the edge sends none
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
