package dev.pageviews.edge.admit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.http.EdgePipelineForTests;
import dev.pageviews.edge.metrics.Metrics;
import io.netty.buffer.Unpooled;
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

/**
 * The site check in the edge's pipeline (sequencer, router, sites, then a stand-in that answers 202 for whatever
 * passes): what it refuses, with which answer, before any body is read. Every request and response is released.
 */
class SiteHandlerTest {

    private static final String KEY = "app-key-0123456789";
    private final Metrics metrics = new Metrics();
    private final List<FullHttpRequest> requests = new ArrayList<>();
    private final EmbeddedChannel channel = EdgePipelineForTests.channel(metrics,
            new SiteHandler(SitePolicy.parse("shop.example", List.of(KEY)), metrics));

    @AfterEach
    void everyBufferReleased() {
        assertThat(channel.finishAndReleaseAll()).isFalse();
        assertThat(requests).allSatisfy(request -> assertThat(request.refCnt()).isZero());
    }

    @Test
    void anAllowedOriginPassesOnAndAnotherGets403NamingOrigin() {
        Answer shop = post("/api/v1/track", "Origin", "https://shop.example");
        Answer evil = post("/api/v1/track/batch", "Origin", "https://evil.example");

        assertThat(shop.status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        assertThat(evil.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(evil.body()).contains("\"error\":\"site_not_allowed\"", "\"field\":\"Origin\"", "--allowed-sites");
        assertThat(metrics.exposition()).contains("edge_requests_refused_total{reason=\"site_not_allowed\"} 1.0");
    }

    @Test
    void theSiteKeyOfTheQueryOrTheHeaderDecides() {
        assertThat(post("/api/v1/track?site_key=" + KEY).status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        assertThat(post("/api/v1/track", "X-Site-Key", KEY, "Origin", "https://evil.example").status())
                .isEqualTo(HttpResponseStatus.ACCEPTED);
        Answer wrong = post("/api/v1/track?site_key=wrong-key-000", "Origin", "https://shop.example");

        assertThat(wrong.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(wrong.body()).contains("\"error\":\"site_key_unknown\"", "\"field\":\"site_key\"");
    }

    @Test
    void preflightsAndOtherRoutesAreNotItsConcern() {
        assertThat(request(HttpMethod.OPTIONS, "/api/v1/track").status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        assertThat(request(HttpMethod.GET, "/healthz").status()).isEqualTo(HttpResponseStatus.ACCEPTED);
    }

    private record Answer(HttpResponseStatus status, String body) {}

    private Answer post(String uri, String... headers) {
        return request(HttpMethod.POST, uri, headers);
    }

    private Answer request(HttpMethod method, String uri, String... headers) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
                Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        requests.add(request);
        channel.writeInbound(request);
        FullHttpResponse response = channel.readOutbound();
        try {
            return new Answer(response.status(), response.content().toString(StandardCharsets.UTF_8));
        } finally {
            response.release();
        }
    }
}
