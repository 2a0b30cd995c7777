package dev.pageviews.edge;

import static dev.pageviews.edge.RawHttpClient.post;
import static dev.pageviews.edge.RunningEdge.event;
import static dev.pageviews.edge.RunningEdge.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Keep-alive, pipelining and connection limits, on raw sockets. */
@ExtendWith(LocalStackExtension.class)
class ConnectionHandlingIT {

    private static final String TRACK = "/api/v1/track";
    private static final String JSON = "application/json";
    private static final long TS = 1_730_814_562L;
    private static RunningEdge edge;

    @BeforeAll
    static void start(LocalStack stack) {
        // a long linger holds every valid event ~300 ms in the producer, so answers that need no Kafka are
        // ready long before those that do: the order of the responses is then the sequencer's doing
        edge = RunningEdge.start(stack.kafka(), "edge-connections-it", "--kafka-linger", "300",
                "--max-pipelined-requests", "60");
    }

    @AfterAll
    static void stop() {
        if (edge != null) {
            edge.close();
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInRequestOrder() throws Exception {
        ByteArrayOutputStream requests = new ByteArrayOutputStream();
        requests.writeBytes(post(TRACK, JSON, event("pipe", "/first", TS)));
        requests.writeBytes(post(TRACK, JSON, "{\"user_id\":\"pipe\"}"));
        requests.writeBytes("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        requests.writeBytes(post(TRACK + "/batch", JSON, "[" + event("pipe", "/batch", TS) + "]"));
        requests.writeBytes("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        requests.writeBytes(post(TRACK, JSON, event("pipe", "/last", TS)));

        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            client.send(requests.toByteArray()); // all six in one write
            List<RawHttpClient.Response> responses = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                responses.add(client.read());
            }

            assertThat(responses).extracting(RawHttpClient.Response::status).containsExactly(202, 400, 200, 202, 404, 202);
            assertThat(json(responses.get(1).body()).get("field").asText()).isEqualTo("page_url");
            assertThat(json(responses.get(2).body()).get("status").asText()).isEqualTo("ok");
            assertThat(json(responses.get(3).body()).get("accepted").asInt()).isEqualTo(1);
            Set<String> ids = Set.of(json(responses.get(0).body()).get("event_id").asText(),
                    json(responses.get(5).body()).get("event_id").asText());
            assertThat(responses).allSatisfy(r -> assertThat(r.header("connection")).isNull());
            Set<String> stored = TopicReader.readUntil(edge.bootstrap, edge.topic,
                    records -> records.stream().map(r -> TrackEndpointIT.decode(r).eventId()).collect(Collectors.toSet()).containsAll(ids),
                    Duration.ofSeconds(30)).stream().map(r -> TrackEndpointIT.decode(r).eventId()).collect(Collectors.toSet());
            assertThat(stored).containsAll(ids);
        }
    }

    @Test
    void deepPipelinesAreAllAnsweredInOrderWhileTheEdgeReadsOnlyAFewAhead() throws Exception {
        int pairs = 300; // 600 requests in one write: ten times --max-pipelined-requests
        ByteArrayOutputStream requests = new ByteArrayOutputStream();
        for (int i = 0; i < pairs; i++) {
            requests.writeBytes(post(TRACK, JSON, event("deep", "/d" + i, TS)));
            requests.writeBytes("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            client.send(requests.toByteArray());
            List<Integer> statuses = new ArrayList<>();
            Set<String> ids = new java.util.HashSet<>();
            for (int i = 0; i < 2 * pairs; i++) {
                RawHttpClient.Response response = client.read();
                statuses.add(response.status());
                if (response.status() == 202) {
                    ids.add(json(response.body()).get("event_id").asText());
                }
            }

            for (int i = 0; i < 2 * pairs; i++) {
                assertThat(statuses.get(i)).as("response %d", i).isEqualTo(i % 2 == 0 ? 202 : 404);
            }
            assertThat(ids).hasSize(pairs);
        }
    }

    @Test
    void keepAliveServesManyRequestsOnOneConnection() throws Exception {
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            for (int i = 0; i < 5; i++) {
                client.send(post(TRACK, JSON, event("keep-alive", "/k" + i, TS)));
                RawHttpClient.Response response = client.read();
                assertThat(response.status()).isEqualTo(202);
                assertThat(response.header("connection")).isNull();
            }
            assertThat(client.closedByServerWithin(Duration.ofMillis(300))).isFalse();
        }
    }

    @Test
    void connectionCloseIsAnsweredAndThenClosed() throws Exception {
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            client.send(post(TRACK, JSON, event("close", "/c", TS), "Connection: close"));
            RawHttpClient.Response response = client.read();

            assertThat(response.status()).isEqualTo(202);
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(client.closedByServerWithin(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void requestsPipelinedAfterConnectionCloseAreNotProcessed() throws Exception {
        String user = "after-close-" + System.nanoTime();
        ByteArrayOutputStream requests = new ByteArrayOutputStream();
        requests.writeBytes(post(TRACK, JSON, event(user, "/closing", TS), "Connection: close"));
        requests.writeBytes(post(TRACK, JSON, event(user, "/ignored", TS)));
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            client.send(requests.toByteArray());

            assertThat(client.read().status()).isEqualTo(202);
            assertThat(client.closedByServerWithin(Duration.ofSeconds(5))).isTrue();
        }
        edge.track(event(user, "/marker", TS)); // once this is read, the ignored one would have been too
        assertThat(TopicReader.readUntil(edge.bootstrap, edge.topic,
                        records -> records.stream().anyMatch(r -> TrackEndpointIT.decode(r).pageUrl().equals("/marker")
                                && TrackEndpointIT.decode(r).userId().equals(user)), Duration.ofSeconds(30))
                .stream().map(TrackEndpointIT::decode).filter(v -> v.userId().equals(user)).map(v -> v.pageUrl()))
                .containsExactlyInAnyOrder("/closing", "/marker");
    }

    @Test
    void http10ClosesUnlessAskedToKeepAlive() throws Exception {
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            client.send("GET /healthz HTTP/1.0\r\n\r\n");
            RawHttpClient.Response response = client.read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(client.closedByServerWithin(Duration.ofSeconds(5))).isTrue();
        }
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            client.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawHttpClient.Response first = client.read();
            client.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawHttpClient.Response second = client.read();

            assertThat(first.header("connection")).isEqualTo("keep-alive");
            assertThat(second.status()).isEqualTo(200);
        }
    }

    @Test
    void connectionsOverTheCapAreRefusedAndServedAgainOnceOthersClose(LocalStack stack) throws Exception {
        try (RunningEdge capped = RunningEdge.start(stack.kafka(), "edge-cap-it", "--max-connections", "2")) {
            RawHttpClient first = new RawHttpClient(capped.port());
            try (RawHttpClient second = new RawHttpClient(capped.port())) {
                assertThat(healthStatus(first)).isEqualTo(200);
                assertThat(healthStatus(second)).isEqualTo(200);
                try (RawHttpClient third = new RawHttpClient(capped.port())) {
                    assertThat(third.closedByServerWithin(Duration.ofSeconds(5))).isTrue();
                }
                first.close();
                assertThat(eventuallyServed(capped.port())).isTrue();
            } finally {
                first.close();
            }
            assertThat(PrometheusText.parse(capped.server.metrics().exposition()).get("edge_connections_refused_total"))
                    .isGreaterThanOrEqualTo(1); // more when a retry above came before the server saw a close
        }
    }

    private static int healthStatus(RawHttpClient client) throws IOException {
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        return client.read().status();
    }

    /** The server learns of a closed connection asynchronously: retry for a while. */
    private static boolean eventuallyServed(int port) throws InterruptedException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (RawHttpClient client = new RawHttpClient(port)) {
                if (healthStatus(client) == 200) {
                    return true;
                }
            } catch (IOException refused) {
                Thread.sleep(100);
            }
        }
        return false;
    }
}
