package dev.pageviews.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.AdminInitializer;
import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.edge.metrics.Metrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin port's pipeline ({@link AdminInitializer}: codec, aggregator, {@link AdminHandler}) fed raw bytes, as a
 * scraper or a probe sends them. Every buffer in and out must be released ({@code refCnt() == 0}), and {@link NoLeaks}
 * fails a test when a buffer the codec or aggregator allocated (a request, its body) is dropped unreleased.
 */
@ExtendWith(NoLeaks.class)
class AdminHandlerTest {

    private final Metrics metrics = new Metrics();
    private final List<ByteBuf> sent = new ArrayList<>();
    private final ChannelGroup connections = new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE);
    private String notReady = "Kafka at 10.0.0.7:9092 is not reachable (TimeoutException)";

    private EmbeddedChannel admin() {
        return new EmbeddedChannel(new AdminInitializer(EdgeConfig.defaults(), () -> notReady, metrics, connections));
    }

    @AfterEach
    void everyBufferReleased() {
        assertThat(sent).allSatisfy(buffer -> assertThat(buffer.refCnt()).isZero());
        metrics.close();
    }

    @Test
    void servesMetricsInPrometheusTextFormat() {
        metrics.requestAnswered("/api/v1/track", 202);
        EmbeddedChannel channel = admin();

        String response = exchange(channel, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 200 OK\r\n")
                .contains("content-type: text/plain; version=0.0.4; charset=utf-8\r\n")
                .contains("edge_http_requests_total{route=\"/api/v1/track\",status=\"202\"} 1.0\n")
                .doesNotContain("connection: close");
        assertThat(channel.isOpen()).isTrue();
        assertThat(connections.contains(channel)).as("joined the admin connections").isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void readyzTellsWhyNotReadyWithKafkasAddress() {
        EmbeddedChannel channel = admin();

        String notReadyAnswer = exchange(channel, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
        notReady = null;
        String readyAnswer = exchange(channel, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(notReadyAnswer).startsWith("HTTP/1.1 503 Service Unavailable\r\n").contains("retry-after: 1\r\n")
                .endsWith("{\"status\":\"not_ready\",\"problem\":\"Kafka at 10.0.0.7:9092 is not reachable (TimeoutException)\"}");
        assertThat(readyAnswer).startsWith("HTTP/1.1 200 OK\r\n").endsWith("{\"status\":\"ready\"}");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void healthzIsOk() {
        EmbeddedChannel channel = admin();

        assertThat(exchange(channel, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
                .startsWith("HTTP/1.1 200 OK\r\n").endsWith("{\"status\":\"ok\"}");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void eventEndpointsAndUnknownPathsAre404AndWrongMethods405() {
        EmbeddedChannel channel = admin();

        String track = exchange(channel, "POST /api/v1/track HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\n\r\n{}");
        String unknown = exchange(channel, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
        String post = exchange(channel, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");

        assertThat(track).startsWith("HTTP/1.1 404 Not Found\r\n").contains("the admin port serves GET /metrics, /readyz and /healthz");
        assertThat(unknown).startsWith("HTTP/1.1 404 Not Found\r\n");
        assertThat(post).startsWith("HTTP/1.1 405 Method Not Allowed\r\n").contains("allow: GET\r\n");
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void connectionCloseIsAnsweredThenClosedAndWhatFollowsIsNotAnswered() {
        EmbeddedChannel channel = admin();

        String response = exchange(channel, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                + "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").contains("connection: close\r\n")
                .doesNotContain("HTTP/1.1 200 OK\r\ncontent-type: text/plain");
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void http10WithoutKeepAliveIsClosedAfterTheAnswer() {
        EmbeddedChannel channel = admin();

        assertThat(exchange(channel, "GET /healthz HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.1 200 OK\r\n").contains("connection: close\r\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void brokenHttpIs400AndClosesTheConnection() {
        EmbeddedChannel channel = admin();

        assertThat(exchange(channel, "GET /metrics HTTP/1.1\r\nBad Header: y\r\n\r\n")).startsWith("HTTP/1.1 400 Bad Request\r\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    /** Writes {@code request} as bytes and returns every byte written back, as text; releases all buffers. */
    private String exchange(EmbeddedChannel channel, String request) {
        ByteBuf in = Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII);
        sent.add(in);
        channel.writeInbound(in);
        StringBuilder out = new StringBuilder();
        ByteBuf written;
        while ((written = channel.readOutbound()) != null) {
            out.append(written.toString(StandardCharsets.UTF_8));
            written.release();
            assertThat(written.refCnt()).isZero();
        }
        return out.toString();
    }
}
