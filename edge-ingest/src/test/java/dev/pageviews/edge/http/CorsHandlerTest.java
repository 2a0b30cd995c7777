package dev.pageviews.edge.http;

import static dev.pageviews.edge.http.EdgePipelineForTests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.http.EdgePipelineForTests.Answer;
import dev.pageviews.edge.metrics.Metrics;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * CORS on the event endpoints, in the public port's pipeline (sequencer, router, CORS, then a stand-in that answers 202
 * for whatever passes): preflights, the headers an allowed origin's answer gets, and the 403 that keeps other sites
 * from writing events. Every request and response is released, and no buffer leaks.
 */
@ExtendWith(NoLeaks.class)
class CorsHandlerTest {

    private static final String SHOP = "https://shop.example";
    private static final String BLOG = "https://blog.example";

    private final Metrics metrics = new Metrics();
    /** The requests CORS passed on to the handlers after it. */
    private final List<String> passedOn = new CopyOnWriteArrayList<>();
    private EdgePipelineForTests pipeline = pipeline(SHOP + "," + BLOG);

    @AfterEach
    void everythingReleased() {
        pipeline.assertAllReleased();
        metrics.close();
    }

    @Test
    void aPreflightOfAnAllowedOriginIs204WithTheAllowedMethodsAndHeader() {
        Answer answer = pipeline.exchange(request(HttpMethod.OPTIONS, "/api/v1/track/batch", "", "Origin", SHOP,
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type"));

        assertThat(answer.status()).isEqualTo(HttpResponseStatus.NO_CONTENT);
        assertThat(answer.header(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(SHOP);
        assertThat(answer.header(HttpHeaderNames.VARY)).isEqualTo("origin");
        assertThat(answer.header(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS)).isEqualTo("POST, OPTIONS");
        assertThat(answer.header(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS)).isEqualTo("content-type");
        assertThat(answer.header(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE)).isEqualTo("86400");
        assertThat(answer.header(HttpHeaderNames.ALLOW)).isEqualTo("POST, OPTIONS");
        assertThat(answer.body()).isEmpty();
        assertThat(passedOn).isEmpty();
    }

    @Test
    void anAllowedOriginsEventPassesOnAndItsAnswerNamesTheOriginAndVaries() {
        Answer shop = pipeline.exchange(request(HttpMethod.POST, "/api/v1/track", "{}", "Origin", SHOP));
        Answer blog = pipeline.exchange(request(HttpMethod.POST, "/api/v1/track/batch", "[]", "Origin", BLOG));

        assertThat(shop.status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        assertThat(shop.header(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(SHOP);
        assertThat(shop.header(HttpHeaderNames.VARY)).isEqualTo("origin");
        assertThat(blog.header(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(BLOG);
        assertThat(passedOn).containsExactly("POST /api/v1/track", "POST /api/v1/track/batch");
    }

    @Test
    void anyOriginIsAnsweredWithStarAndNoVary() {
        pipeline.assertAllReleased();
        pipeline = pipeline("*");

        Answer answer = pipeline.exchange(request(HttpMethod.POST, "/api/v1/track", "{}", "Origin", "https://any.example"));

        assertThat(answer.status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        assertThat(answer.header(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo("*");
        assertThat(answer.headers().contains(HttpHeaderNames.VARY)).isFalse();
    }

    @Test
    void aRefusedOriginGets403NamingOriginAndNothingPassesOn() {
        Answer post = pipeline.exchange(request(HttpMethod.POST, "/api/v1/track", "{}", "Origin", "https://evil.example"));
        Answer preflight = pipeline.exchange(request(HttpMethod.OPTIONS, "/api/v1/track", "", "Origin",
                "https://shop.example.evil", "Access-Control-Request-Method", "POST"));

        for (Answer answer : List.of(post, preflight)) {
            assertThat(answer.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
            assertThat(answer.body()).contains("\"error\":\"origin_not_allowed\"", "\"field\":\"Origin\"", "--cors-origins");
            assertThat(answer.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
            assertThat(answer.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS)).isFalse();
        }
        assertThat(passedOn).isEmpty();
        assertThat(pipeline.isOpen()).isTrue();
    }

    @Test
    void withoutAnOriginEventsPassOnWithoutCorsHeaders() {
        Answer answer = pipeline.exchange(request(HttpMethod.POST, "/api/v1/track", "{}", "Content-Type", "text/plain"));

        assertThat(answer.status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        assertThat(answer.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
        assertThat(passedOn).containsExactly("POST /api/v1/track");
    }

    @Test
    void anOptionsThatIsNoPreflightGets204WithAllowOnly() {
        Answer noOrigin = pipeline.exchange(request(HttpMethod.OPTIONS, "/api/v1/track", ""));
        Answer noRequestMethod = pipeline.exchange(request(HttpMethod.OPTIONS, "/api/v1/track", "", "Origin", SHOP));

        assertThat(noOrigin.status()).isEqualTo(HttpResponseStatus.NO_CONTENT);
        assertThat(noOrigin.header(HttpHeaderNames.ALLOW)).isEqualTo("POST, OPTIONS");
        assertThat(noOrigin.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
        assertThat(noOrigin.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS)).isFalse();
        assertThat(noRequestMethod.status()).isEqualTo(HttpResponseStatus.NO_CONTENT);
        assertThat(noRequestMethod.header(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(SHOP);
        assertThat(noRequestMethod.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS)).isFalse();
        assertThat(passedOn).isEmpty();
    }

    @Test
    void otherRoutesAreNotItsConcern() {
        Answer optionsReadyz = pipeline.exchange(request(HttpMethod.OPTIONS, "/readyz", "", "Origin", SHOP,
                "Access-Control-Request-Method", "GET"));
        Answer healthzFromElsewhere = pipeline.exchange(request(HttpMethod.GET, "/healthz", "", "Origin",
                "https://evil.example"));

        assertThat(optionsReadyz.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        assertThat(optionsReadyz.header(HttpHeaderNames.ALLOW)).isEqualTo("GET");
        assertThat(optionsReadyz.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
        assertThat(healthzFromElsewhere.status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        assertThat(healthzFromElsewhere.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
        assertThat(passedOn).containsExactly("GET /healthz");
    }

    private EdgePipelineForTests pipeline(String origins) {
        return new EdgePipelineForTests(metrics, new CorsHandler(CorsPolicy.parse(origins)), new ExchangeHandler() {
            @Override
            protected boolean answer(Exchange exchange) {
                passedOn.add(exchange.request().method() + " " + exchange.request().uri());
                return false;
            }
        });
    }
}
