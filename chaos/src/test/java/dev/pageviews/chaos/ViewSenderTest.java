package dev.pageviews.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pageviews.stack.FreePorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sender's retries against a scripted HTTP server: what it sends again, with which id, and what it records. */
class ViewSenderTest {

    private static final ViewSender.Retries QUICK = new ViewSender.Retries(3, Duration.ofMillis(1), Duration.ofMillis(5));
    private static final String BATCH_503 = "{\"error\":\"unavailable\",\"problem\":\"...\",\"accepted\":2,\"rejected\":"
            + "[{\"index\":1,\"error\":\"unavailable\",\"problem\":\"was not acknowledged by Kafka in time; send it again\"}]}";

    private record Answer(int status, String body) {}

    private final Deque<Answer> script = new ArrayDeque<>();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final Ledger ledger = new Ledger();
    private final HttpServer server = start();

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aViewAnswered503IsSentAgainWithItsEventIdUntilAccepted() {
        script.add(new Answer(503, "{\"error\":\"unavailable\"}"));
        script.add(new Answer(202, "{\"accepted\":1,\"event_id\":\"s0-1\"}"));

        Ledger.Outcome outcome = sender(QUICK).single(view("/p", "s0-1"), true);

        assertThat(outcome).isEqualTo(Ledger.Outcome.ACCEPTED);
        assertThat(received).hasSize(2).allMatch(body -> body.contains("\"event_id\":\"s0-1\"")).containsOnly(received.get(0));
        assertThat(List.of(ledger.retries(), ledger.acceptedOnRetry(), ledger.unavailable())).containsExactly(1L, 1L, 1L);
        assertThat(ledger.mismatches(java.util.Map.of("/p", 1L))).isEmpty(); // counted once, though stored twice perhaps
    }

    @Test
    void aRefusedViewIsNotSentAgain() {
        script.add(new Answer(400, "{\"error\":\"invalid_event\"}"));

        assertThat(sender(QUICK).single(view("/p", "s0-2"), true)).isEqualTo(Ledger.Outcome.REJECTED);
        assertThat(received).hasSize(1);
        assertThat(ledger.retries()).isZero();
    }

    @Test
    void afterTheLastTryAViewThatMayHaveBeenStoredStaysUnknown() {
        script.add(new Answer(503, "{}"));
        script.add(new Answer(503, "{}"));
        script.add(new Answer(503, "{}"));

        assertThat(sender(QUICK).single(view("/p", "s0-3"), true)).isEqualTo(Ledger.Outcome.UNKNOWN);
        assertThat(received).hasSize(3);
        assertThat(ledger.retries()).isEqualTo(2);
        assertThat(ledger.total(Ledger.Tally::unknown)).isEqualTo(1);
    }

    @Test
    void aViewNeverDeliveredIsRetriedAndCountsAsNotDelivered() {
        ViewSender nobodyListens = new ViewSender(FreePorts::pick, ledger, QUICK);

        assertThat(nobodyListens.single(view("/p", "s0-4"), true)).isEqualTo(Ledger.Outcome.NOT_DELIVERED);
        assertThat(ledger.retries()).isEqualTo(2);
        assertThat(ledger.total(Ledger.Tally::notDelivered)).isEqualTo(1);
    }

    @Test
    void aBatchSendsAgainExactlyTheViewsKafkaDidNotAcknowledge() {
        script.add(new Answer(503, BATCH_503));
        script.add(new Answer(202, "{\"accepted\":1,\"rejected\":[]}"));

        boolean allAccepted = sender(QUICK).batch(List.of(view("/b", "b0.0"), view("/b", "b0.1"), view("/b", "b0.2")));

        assertThat(allAccepted).isTrue();
        assertThat(received).hasSize(2);
        assertThat(received.get(1)).contains("\"event_id\":\"b0.1\"").doesNotContain("b0.0").doesNotContain("b0.2");
        assertThat(List.of(ledger.retries(), ledger.acceptedOnRetry(), ledger.unavailable())).containsExactly(1L, 1L, 1L);
        assertThat(ledger.total(Ledger.Tally::accepted)).isEqualTo(3);
    }

    @Test
    void aBatchWithoutAnAnswerIsSentAgainWholeAndAnInvalidViewIsNot() {
        script.add(new Answer(502, "bad gateway")); // no per-event answer: all unknown
        script.add(new Answer(202, "{\"accepted\":1,\"rejected\":[{\"index\":0,\"error\":\"invalid_event\",\"field\":\"timestamp\"}]}"));

        boolean allAccepted = sender(QUICK).batch(List.of(view("/b", "b1.0"), view("/b", "b1.1")));

        assertThat(allAccepted).isFalse();
        assertThat(received).hasSize(2).allMatch(body -> body.contains("b1.0") && body.contains("b1.1"));
        // b1.0 was refused at the retry, but the first try may have stored it: unknown, not refused
        assertThat(List.of(ledger.total(Ledger.Tally::accepted), ledger.total(Ledger.Tally::unknown),
                ledger.total(Ledger.Tally::rejected))).containsExactly(1L, 1L, 0L);
    }

    @Test
    void aCopyAfterA2xxIsSentWithTheSameIdAndChangesNoOutcome() {
        script.add(new Answer(202, "{\"accepted\":1}"));
        script.add(new Answer(202, "{\"accepted\":1}"));
        ViewSender sender = sender(QUICK);
        ViewSender.View view = view("/p", "s0-5");

        sender.single(view, true);
        sender.resendAccepted(view);

        assertThat(received).hasSize(2).containsOnly(view.json());
        assertThat(ledger.resentAfter2xx()).isEqualTo(1);
        assertThat(ledger.total(Ledger.Tally::sent)).isEqualTo(1);
        assertThat(ledger.mismatches(java.util.Map.of("/p", 2L))).extracting(Ledger.Mismatch::countedTwice).containsExactly(1L);
    }

    @Test
    void theBackoffDoublesUpToItsCapAndHonoursRetryAfter() {
        ViewSender.Retries client = ViewSender.Retries.CLIENT;

        assertThat(List.of(client.backoff(1, 0), client.backoff(2, 0), client.backoff(4, 0), client.backoff(5, 0), client.backoff(9, 0)))
                .containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofSeconds(8),
                        Duration.ofSeconds(8));
        assertThat(client.backoff(1, 2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(client.backoff(1, 3600)).isEqualTo(Duration.ofSeconds(8));
        assertThat(client.longestView())
                .isGreaterThanOrEqualTo(ViewSender.REQUEST_TIMEOUT.multipliedBy(8).plusMillis(500 + 1000 + 2000 + 4000 + 3 * 8000));
    }

    private ViewSender sender(ViewSender.Retries retries) {
        return new ViewSender(() -> server.getAddress().getPort(), ledger, retries);
    }

    private static ViewSender.View view(String page, String eventId) {
        return new ViewSender.View("u1", page, 1_730_814_562L, eventId);
    }

    private HttpServer start() {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/api/v1/track", this::answer);
            http.createContext("/api/v1/track/batch", this::answer);
            http.start();
            return http;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        Answer answer = script.isEmpty() ? new Answer(500, "no more answers scripted") : script.poll();
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        if (answer.status() == 503) {
            exchange.getResponseHeaders().add("Retry-After", "0");
        }
        exchange.sendResponseHeaders(answer.status(), body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }
}
