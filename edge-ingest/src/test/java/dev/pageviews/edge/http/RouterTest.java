package dev.pageviews.edge.http;

import static dev.pageviews.edge.http.EdgePipelineForTests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.http.EdgePipelineForTests.Answer;
import dev.pageviews.edge.metrics.Metrics;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The public port's routing, in its pipeline (sequencer, framing errors, router, then a recorder and a stand-in that
 * answers 202): each endpoint passes on with its route set, for each of its methods and only those; other paths,
 * including the admin port's {@code /metrics}, are 404; a wrong method is 405 with {@code Allow}. The router answers
 * before any handler that could produce an event sees the request, so these refusals are what keeps them safe.
 */
@ExtendWith(NoLeaks.class)
class RouterTest {

    private final Metrics metrics = new Metrics();
    /** What passed the router: method, path and the route it set. */
    private final List<String> passedOn = new ArrayList<>();
    private final EdgePipelineForTests pipeline = new EdgePipelineForTests(metrics, new ExchangeHandler() {
        @Override
        protected boolean answer(Exchange exchange) {
            passedOn.add(exchange.request().method() + " " + exchange.path() + " " + exchange.route());
            return false;
        }
    });

    @AfterEach
    void everythingReleased() {
        pipeline.assertAllReleased();
        metrics.close();
    }

    @Test
    void eachEndpointPassesOnWithItsRouteForEachOfItsMethods() {
        List<String> sent = List.of("POST /api/v1/track", "OPTIONS /api/v1/track", "POST /api/v1/track/batch",
                "OPTIONS /api/v1/track/batch", "GET /healthz", "GET /readyz", "GET /pv.js", "HEAD /pv.js",
                "POST /api/v1/track?site=a");
        for (String line : sent) {
            String[] methodAndUri = line.split(" ");
            Answer answer = pipeline.exchange(request(HttpMethod.valueOf(methodAndUri[0]), methodAndUri[1], ""));
            assertThat(answer.status()).as(line).isEqualTo(HttpResponseStatus.ACCEPTED);
        }

        assertThat(passedOn).containsExactly("POST /api/v1/track TRACK", "OPTIONS /api/v1/track TRACK",
                "POST /api/v1/track/batch TRACK_BATCH", "OPTIONS /api/v1/track/batch TRACK_BATCH", "GET /healthz HEALTHZ",
                "GET /readyz READYZ", "GET /pv.js TRACKER", "HEAD /pv.js TRACKER", "POST /api/v1/track TRACK");
        assertThat(pipeline.isOpen()).isTrue();
    }

    @Test
    void otherPathsAndTheAdminPortsMetricsAre404AndCountedAsUnmatched() {
        for (String path : List.of("/metrics", "/", "/api/v1/track/", "/api/v1/Track", "/api%2Fv1/track")) {
            Answer answer = pipeline.exchange(request(HttpMethod.GET, path, ""));

            assertThat(answer.status()).as(path).isEqualTo(HttpResponseStatus.NOT_FOUND);
            assertThat(answer.body()).as(path).contains("\"error\":\"not_found\"", "POST /api/v1/track");
        }
        assertThat(passedOn).isEmpty();
        assertThat(pipeline.isOpen()).as("a wrong path is the client's mistake, not the connection's").isTrue();
        assertThat(metrics.exposition()).contains("edge_http_requests_total{route=\"unmatched\",status=\"404\"} 5.0\n");
    }

    @Test
    void aWrongMethodIs405WithAllowListingTheEndpointsMethods() {
        Answer getTrack = pipeline.exchange(request(HttpMethod.GET, "/api/v1/track", ""));
        Answer putBatch = pipeline.exchange(request(HttpMethod.PUT, "/api/v1/track/batch", "[]"));
        Answer postHealthz = pipeline.exchange(request(HttpMethod.POST, "/healthz", ""));
        Answer deleteReadyz = pipeline.exchange(request(HttpMethod.DELETE, "/readyz", ""));
        Answer postScript = pipeline.exchange(request(HttpMethod.POST, "/pv.js", ""));

        assertThat(List.of(getTrack, putBatch, postHealthz, deleteReadyz, postScript))
                .allSatisfy(answer -> {
                    assertThat(answer.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
                    assertThat(answer.body()).contains("\"error\":\"method_not_allowed\"");
                });
        assertThat(getTrack.header(HttpHeaderNames.ALLOW)).isEqualTo("POST, OPTIONS");
        assertThat(putBatch.header(HttpHeaderNames.ALLOW)).isEqualTo("POST, OPTIONS");
        assertThat(postHealthz.header(HttpHeaderNames.ALLOW)).isEqualTo("GET");
        assertThat(deleteReadyz.header(HttpHeaderNames.ALLOW)).isEqualTo("GET");
        assertThat(postScript.header(HttpHeaderNames.ALLOW)).isEqualTo("GET, HEAD");
        assertThat(postScript.body()).contains("this endpoint accepts GET, HEAD");
        assertThat(passedOn).isEmpty();
        assertThat(metrics.exposition()).contains("edge_http_requests_total{route=\"/api/v1/track\",status=\"405\"} 1.0\n",
                "edge_http_requests_total{route=\"tracker\",status=\"405\"} 1.0\n");
    }
}
