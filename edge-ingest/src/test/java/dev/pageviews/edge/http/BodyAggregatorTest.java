package dev.pageviews.edge.http;

import static dev.pageviews.edge.http.WireForTests.received;
import static dev.pageviews.edge.http.WireForTests.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.metrics.Metrics;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The body size limit, through the public port's codec, body budget and handlers with bodies of at most 1024 bytes: a
 * body within it passes on whole; one over it, declared or chunked, is answered 413 in the edge's JSON with the
 * connection closed, and a client that waits for {@code 100 Continue} gets that 413 instead of Netty's bare one.
 * Either way the body budget is given back. Leak-checked, including the parts of a body that was dropped.
 */
@ExtendWith(NoLeaks.class)
class BodyAggregatorTest {

    private static final int MAX_BODY = 1024;

    private final Metrics metrics = new Metrics();
    private final BodyMemoryBudget.Pool bodyMemory = new BodyMemoryBudget.Pool(1 << 20);
    private final List<String> passedOn = new ArrayList<>();
    private final EmbeddedChannel channel = WireForTests.publicPort(metrics, MAX_BODY, bodyMemory, passedOn);

    @AfterEach
    void everythingReleased() {
        WireForTests.finish(channel);
        assertThat(bodyMemory.used()).as("body budget given back").isZero();
        metrics.close();
    }

    @Test
    void aBodyOfTheLimitArrivingInPartsPassesOnWholeAndGivesItsBudgetBack() {
        send(channel, "POST /api/v1/track HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n" + "a".repeat(1000));
        long whileArriving = bodyMemory.used();
        send(channel, "b".repeat(24));

        assertThat(whileArriving).isEqualTo(1024);
        assertThat(received(channel)).startsWith("HTTP/1.1 202 Accepted\r\n").doesNotContain("connection: close");
        assertThat(passedOn).containsExactly("POST /api/v1/track " + "a".repeat(1000) + "b".repeat(24));
        assertThat(bodyMemory.used()).isZero();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aDeclaredBodyOverTheLimitIs413NamingTheLimitAndClosesTheConnection() {
        send(channel, "POST /api/v1/track HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n" + "a".repeat(1000));

        String response = received(channel);

        assertThat(response).startsWith("HTTP/1.1 413 Request Entity Too Large\r\n").contains("connection: close\r\n")
                .contains("\"error\":\"body_too_large\"", "\"field\":\"body\"", "larger than 1024 bytes");
        assertThat(passedOn).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(metrics.exposition()).contains("edge_http_requests_total{route=\"unmatched\",status=\"413\"} 1.0\n");
    }

    @Test
    void aChunkedBodyThatGrowsOverTheLimitIs413() {
        send(channel, "POST /api/v1/track/batch HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        send(channel, "258\r\n" + "a".repeat(600) + "\r\n");
        String beforeTheLimit = received(channel);
        send(channel, "258\r\n" + "b".repeat(600) + "\r\n");

        assertThat(beforeTheLimit).isEmpty();
        assertThat(received(channel)).startsWith("HTTP/1.1 413 Request Entity Too Large\r\n")
                .contains("\"error\":\"body_too_large\"");
        assertThat(passedOn).isEmpty();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aClientWaitingForContinueGets413ForABodyOverTheLimitAndContinueForOneWithin() {
        EmbeddedChannel second = WireForTests.publicPort(metrics, MAX_BODY, bodyMemory, passedOn);

        send(channel, "POST /api/v1/track HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2048\r\n\r\n");
        send(second, "POST /api/v1/track HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
        String continued = received(second);
        send(second, "{}");

        assertThat(received(channel)).startsWith("HTTP/1.1 413 Request Entity Too Large\r\n")
                .contains("\"error\":\"body_too_large\"").doesNotContain("100 Continue").containsOnlyOnce("HTTP/1.1 ");
        assertThat(channel.isOpen()).isFalse();
        assertThat(continued).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
        assertThat(received(second)).startsWith("HTTP/1.1 202 Accepted\r\n");
        assertThat(passedOn).containsExactly("POST /api/v1/track {}");
        WireForTests.finish(second);
    }
}
