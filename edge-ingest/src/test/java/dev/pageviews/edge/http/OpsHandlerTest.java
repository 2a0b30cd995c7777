package dev.pageviews.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.metrics.Metrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The public port's ops endpoints, through the handlers that serve them there (sequencer, router, ops handler):
 * {@code /readyz} tells the status only, {@code /metrics} is not served. Every request and response must be released;
 * the requests' bodies come from the allocator the server uses, so {@link NoLeaks} also catches one dropped unreleased.
 */
@ExtendWith(NoLeaks.class)
class OpsHandlerTest {

    private final Metrics metrics = new Metrics();
    private final List<FullHttpRequest> requests = new ArrayList<>();
    private String notReady;

    private EmbeddedChannel publicPort() {
        return new EmbeddedChannel(new ResponseSequencer(64, metrics), new FramingErrors(1024, 1), new Router("/pv.js"),
                new OpsHandler(() -> notReady, 1), new Unanswered());
    }

    @AfterEach
    void everyBufferReleased() {
        assertThat(requests).allSatisfy(request -> assertThat(request.refCnt()).isZero());
    }

    @Test
    void readyzIs200ReadyOr503NotReadyWithoutTheReason() {
        EmbeddedChannel channel = publicPort();

        notReady = "Kafka at 10.0.0.7:9092 is not reachable (TimeoutException)";
        Answer notReadyAnswer = get(channel, "/readyz");
        notReady = null;
        Answer readyAnswer = get(channel, "/readyz");

        assertThat(notReadyAnswer.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(notReadyAnswer.body()).isEqualTo("{\"status\":\"not_ready\"}");
        assertThat(notReadyAnswer.retryAfter()).isEqualTo("1");
        assertThat(readyAnswer.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(readyAnswer.body()).isEqualTo("{\"status\":\"ready\"}");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void healthzIsOk() {
        EmbeddedChannel channel = publicPort();

        Answer answer = get(channel, "/healthz");

        assertThat(answer.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(answer.body()).isEqualTo("{\"status\":\"ok\"}");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void metricsAreNotServedOnThePublicPort() {
        EmbeddedChannel channel = publicPort();

        Answer answer = get(channel, "/metrics");

        assertThat(answer.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(answer.body()).doesNotContain("edge_");
        assertThat(metrics.exposition()).contains("edge_http_requests_total{route=\"unmatched\",status=\"404\"} 1.0\n");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    private record Answer(HttpResponseStatus status, String body, String retryAfter) {}

    private Answer get(EmbeddedChannel channel, String path) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path, ByteBufAllocator.DEFAULT.directBuffer(0));
        requests.add(request);
        channel.writeInbound(request);
        FullHttpResponse response = channel.readOutbound();
        try {
            return new Answer(response.status(), response.content().toString(StandardCharsets.UTF_8),
                    response.headers().get("retry-after"));
        } finally {
            response.release();
            assertThat(response.refCnt()).isZero();
        }
    }
}
