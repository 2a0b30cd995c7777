package dev.pageviews.edge;

import static dev.pageviews.edge.RunningEdge.event;
import static dev.pageviews.edge.RunningEdge.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many slow clients sending large bodies at once cannot make the edge hold more memory than
 * {@code --max-body-memory}: 200 connections each declare a 1,000,000-byte batch and send half of it, then stall.
 * Only as many as fit half the budget are received; the others get 503 with Retry-After at once; an ordinary event
 * is still accepted meanwhile; the direct memory Netty holds grows by less than the budget. Without the budget
 * (the handler removed) all 200 would be read and Netty would hold about 100 MB.
 */
@ExtendWith(LocalStackExtension.class)
class SlowLargeBodiesIT {

    private static final Logger LOG = LoggerFactory.getLogger(SlowLargeBodiesIT.class);
    private static final long TS = 1_730_814_562L;
    private static final int CLIENTS = 200;
    private static final int BODY = 1_000_000;
    private static final long BUDGET = 8L << 20; // large bodies: 4 MiB together, so 4 of 1,000,000 bytes

    @ParameterizedTest // each transport reads and allocates its buffers its own way: the budget must hold on both
    @ValueSource(strings = {"io_uring", "epoll"})
    void manySlowLargeBodiesAreHeldWithinTheBudgetAndOthersAreStillServed(String transport, LocalStack stack) throws Exception {
        RunningEdge.assumeTransportAvailable(transport);
        try (RunningEdge edge = RunningEdge.start(stack.kafka(), "edge-slow-bodies-" + transport + "-it", "--max-body-size", "1mb",
                "--max-body-memory", "8mb", "--request-timeout", "60s", "--idle-timeout", "60s", "--transport", transport)) {
            byte[] body = batchOfOneEvent();
            byte[] head = ("POST /api/v1/track/batch HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + BODY + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            edge.track(event("warm-up", "/w", TS)); // the allocator's first chunks, so the baseline includes them
            long directBefore = nettyDirectBytes(edge);
            List<RawHttpClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    clients.add(new RawHttpClient(edge.port()).send(head));
                }
                List<RawHttpClient> refused = new ArrayList<>();
                List<RawHttpClient> receiving = new ArrayList<>();
                for (RawHttpClient client : clients) { // a refusal is answered as soon as the headers are in
                    (answeredWithin(client, Duration.ofMillis(clients.indexOf(client) < 8 ? 1000 : 100))
                            ? refused : receiving).add(client);
                }
                for (RawHttpClient client : refused) {
                    RawHttpClient.Response busy = client.read();
                    assertThat(busy.status()).isEqualTo(503);
                    assertThat(busy.header("retry-after")).isEqualTo("1");
                    assertThat(json(busy.body()).get("error").asText()).isEqualTo("busy");
                    assertThat(client.closedByServerWithin(Duration.ofSeconds(5))).isTrue();
                }
                assertThat(receiving).as("bodies received at once: 4 MiB / 1,000,000 bytes").hasSize(4);
                for (RawHttpClient client : receiving) { // half the body, then the client stalls
                    client.send(java.util.Arrays.copyOfRange(body, 0, BODY / 2));
                }
                Thread.sleep(500);

                HttpResponse<String> ordinary = edge.track(event("ordinary", "/served", TS));
                long directHeld = nettyDirectBytes(edge) - directBefore;
                Map<String, Double> metrics = PrometheusText.parse(edge.admin("/metrics").body());
                LOG.info("{} slow 1,000,000-byte bodies: {} receiving, {} refused; Netty direct memory {} bytes above "
                        + "the baseline; body memory reserved {}", CLIENTS, receiving.size(), refused.size(), directHeld,
                        metrics.get("edge_body_memory_used_bytes"));

                assertThat(ordinary.statusCode()).isEqualTo(202);
                assertThat(metrics.get("edge_body_memory_used_bytes")).isEqualTo(4.0 * BODY);
                assertThat(directHeld).as("direct memory held for the slow bodies").isLessThan(BUDGET);

                for (RawHttpClient client : receiving) { // the stalled clients finish: each batch is accepted
                    client.send(java.util.Arrays.copyOfRange(body, BODY / 2, BODY));
                    RawHttpClient.Response accepted = client.read();
                    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
                }
                assertThat(PrometheusText.parse(edge.admin("/metrics").body()).get("edge_body_memory_used_bytes"))
                        .isZero();
            } finally {
                for (RawHttpClient client : clients) {
                    client.close();
                }
            }
        }
    }

    /** A JSON array of one event padded with whitespace to exactly {@link #BODY} bytes. */
    private static byte[] batchOfOneEvent() {
        String start = "[" + event("large", "/large", TS);
        return (start + " ".repeat(BODY - start.length() - 1) + "]").getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean answeredWithin(RawHttpClient client, Duration wait) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            if (client.hasDataToRead()) {
                return true;
            }
            Thread.sleep(10);
        }
        return client.hasDataToRead();
    }

    private static long nettyDirectBytes(RunningEdge edge) {
        return PrometheusText.parse(edge.admin("/metrics").body()).entrySet().stream()
                .filter(e -> e.getKey().startsWith("netty_allocator_memory_used{") && e.getKey().contains("memory_type=\"direct\""))
                .mapToLong(e -> e.getValue().longValue()).sum();
    }
}
