package dev.pageviews.edge.admit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.http.EdgePipelineForTests;
import dev.pageviews.edge.http.EdgePipelineForTests.Answer;
import dev.pageviews.edge.http.NoLeaks;
import dev.pageviews.edge.metrics.Metrics;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The site check in the edge's pipeline (sequencer, router, sites, then a stand-in that answers 202 for whatever
 * passes): what it refuses, with which answer, before any body is read. Every request and response is released, and
 * no buffer leaks.
 */
@ExtendWith(NoLeaks.class)
class SiteHandlerTest {

    private static final String KEY = "app-key-0123456789";
    private final Metrics metrics = new Metrics();
    private final EdgePipelineForTests pipeline = new EdgePipelineForTests(metrics,
            new SiteHandler(SitePolicy.parse("shop.example", List.of(KEY)), metrics));

    @AfterEach
    void everyBufferReleased() {
        pipeline.assertAllReleased();
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

    private Answer post(String uri, String... headers) {
        return request(HttpMethod.POST, uri, headers);
    }

    private Answer request(HttpMethod method, String uri, String... headers) {
        return pipeline.exchange(EdgePipelineForTests.request(method, uri, "{}", headers));
    }
}
