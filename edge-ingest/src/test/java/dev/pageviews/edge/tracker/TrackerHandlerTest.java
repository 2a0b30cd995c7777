package dev.pageviews.edge.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.edge.http.FramingErrors;
import dev.pageviews.edge.http.NoLeaks;
import dev.pageviews.edge.http.ResponseSequencer;
import dev.pageviews.edge.http.Router;
import dev.pageviews.edge.http.Unanswered;
import dev.pageviews.edge.metrics.Metrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The tracker script through the public port's handlers (sequencer, router, tracker): served on the configured path,
 * cacheable with an ETag, gzipped on request. The requests' bodies come from the allocator the server uses, so
 * {@link NoLeaks} fails a test when one is dropped unreleased.
 */
@ExtendWith(NoLeaks.class)
class TrackerHandlerTest {

    private static final TrackerScript SCRIPT = TrackerScript.load();
    private final Metrics metrics = new Metrics();
    private final List<FullHttpRequest> requests = new ArrayList<>();

    private record Answer(int status, byte[] body, io.netty.handler.codec.http.HttpHeaders headers) {
        String header(String name) {
            return headers.get(name);
        }
    }

    @AfterEach
    void everyRequestReleased() {
        assertThat(requests).allSatisfy(r -> assertThat(r.refCnt()).isZero());
    }

    @Test
    void servesTheScriptAsCacheableJavaScriptWithAStrongEtag() {
        EmbeddedChannel channel = port("/pv.js");

        Answer answer = request(channel, HttpMethod.GET, "/pv.js");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("content-type")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(answer.header("cache-control")).isEqualTo("public, max-age=3600");
        assertThat(answer.header("etag")).isEqualTo(SCRIPT.etag()).matches("\"[A-Za-z0-9_-]{22}\"");
        assertThat(answer.header("vary")).isEqualToIgnoringCase("accept-encoding");
        assertThat(answer.header("content-encoding")).isNull();
        assertThat(answer.header("x-content-type-options")).isEqualTo("nosniff");
        String js = new String(answer.body(), StandardCharsets.UTF_8);
        assertThat(js).hasSize(SCRIPT.size()).contains("sendBeacon").contains("event_id")
                .doesNotContain("// ").doesNotContain("\n  ");
        assertThat(metrics.exposition()).contains("edge_http_requests_total{route=\"tracker\",status=\"200\"} 1.0");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aMatchingEtagGets304WithoutABody() {
        EmbeddedChannel channel = port("/pv.js");

        Answer answer = request(channel, HttpMethod.GET, "/pv.js", "if-none-match", "\"other\", " + SCRIPT.etag());
        Answer stale = request(channel, HttpMethod.GET, "/pv.js", "if-none-match", "\"other\"");

        assertThat(answer.status()).isEqualTo(304);
        assertThat(answer.body()).isEmpty();
        assertThat(answer.header("etag")).isEqualTo(SCRIPT.etag());
        assertThat(stale.status()).isEqualTo(200);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void gzipWhenAcceptedAndTheSameScriptInside() throws IOException {
        EmbeddedChannel channel = port("/pv.js");

        Answer gzipped = request(channel, HttpMethod.GET, "/pv.js", "accept-encoding", "br, gzip, deflate");
        Answer refused = request(channel, HttpMethod.GET, "/pv.js", "accept-encoding", "gzip;q=0, identity");
        Answer plain = request(channel, HttpMethod.GET, "/pv.js");

        assertThat(gzipped.header("content-encoding")).isEqualTo("gzip");
        assertThat(gzipped.body()).hasSize(SCRIPT.gzippedSize());
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
            assertThat(in.readAllBytes()).isEqualTo(plain.body());
        }
        assertThat(refused.header("content-encoding")).isNull();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anotherPathServesItThereAndTheDefaultPathIsThenUnknown() {
        EmbeddedChannel channel = port("/assets/site-stats.js");

        assertThat(request(channel, HttpMethod.GET, "/assets/site-stats.js").status()).isEqualTo(200);
        assertThat(request(channel, HttpMethod.GET, "/pv.js").status()).isEqualTo(404);
        Answer post = request(channel, HttpMethod.POST, "/assets/site-stats.js");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("allow")).isEqualTo("GET, HEAD");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void noScriptWhenTheTrackerIsOff() {
        EmbeddedChannel channel = port(null);

        assertThat(request(channel, HttpMethod.GET, "/pv.js").status()).isEqualTo(404);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void theServedScriptIsTheSourceWithoutCommentsIndentationOrBlankLines() {
        String stripped = TrackerScript.strip("// about\n(function () {\n  // why\n\n  var a = 'x//y';\n})();\n");

        assertThat(stripped).isEqualTo("(function () {\nvar a = 'x//y';\n})();\n");
        // printed by the build: the size the issue asks to state
        System.out.printf("pv.js as served: %d bytes, %d bytes gzipped%n", SCRIPT.size(), SCRIPT.gzippedSize());
        assertThat(SCRIPT.gzippedSize()).as("small enough to add to every page").isLessThan(2048);
    }

    @Test
    void aTrackerPathThatIsNotAPathOrIsAnEndpointIsRefusedNamingTheFlag() {
        for (String bad : new String[] {"pv.js", "/api/v1/track", "/readyz", "/a b.js", "/x?y=1"}) {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> EdgeConfig.parse(
                    new String[] {"--tracker-path", bad}, java.util.Map.of()))).as(bad).hasMessageContaining("--tracker-path");
        }
        assertThat(EdgeConfig.parse(new String[] {"--tracker-path", "none"}, java.util.Map.of())
                .trackerPath()).isNull();
    }

    private EmbeddedChannel port(String trackerPath) {
        return new EmbeddedChannel(new ResponseSequencer(64, metrics), new FramingErrors(1024, 1), new Router(trackerPath),
                new TrackerHandler(SCRIPT), new Unanswered());
    }

    private Answer request(EmbeddedChannel channel, HttpMethod method, String path, String... headers) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path, ByteBufAllocator.DEFAULT.directBuffer(0));
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().set(headers[i], headers[i + 1]);
        }
        requests.add(request);
        channel.writeInbound(request);
        FullHttpResponse response = channel.readOutbound();
        try {
            return new Answer(response.status().code(), ByteBufUtil.getBytes(response.content()), response.headers().copy());
        } finally {
            response.release();
        }
    }
}
