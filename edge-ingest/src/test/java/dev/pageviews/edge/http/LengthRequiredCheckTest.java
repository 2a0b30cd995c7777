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
 * A POST that says neither how long its body is nor that it is chunked, through the public port's codec and handlers.
 * The decoder alone would take it as a POST with an empty body and then read the body as the next request; it must be
 * answered 411 and the connection closed instead, while requests whose framing is known pass on. Leak-checked.
 */
@ExtendWith(NoLeaks.class)
class LengthRequiredCheckTest {

    private final Metrics metrics = new Metrics();
    private final List<String> passedOn = new ArrayList<>();
    private final EmbeddedChannel channel = WireForTests.publicPort(metrics, 1024, null, passedOn);

    @AfterEach
    void everythingReleased() {
        WireForTests.finish(channel);
        metrics.close();
    }

    @Test
    void aPostWithoutLengthIs411AndItsBodyIsNeverReadAsARequest() {
        send(channel, "POST /api/v1/track HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n"
                + "GET /healthz HTTP/1.1\r\n\r\n");

        String response = received(channel);

        assertThat(response).startsWith("HTTP/1.1 411 Length Required\r\n").contains("connection: close\r\n")
                .contains("\"error\":\"length_required\"", "Content-Length").containsOnlyOnce("HTTP/1.1 ");
        assertThat(channel.isOpen()).isFalse();
        assertThat(passedOn).isEmpty();
    }

    @Test
    void aPostWithContentLengthOrChunkedAndAGetWithoutLengthPassOn() {
        send(channel, "POST /api/v1/track HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
        send(channel, "POST /api/v1/track/batch HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\n[]\r\n0\r\n\r\n");
        send(channel, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");

        String responses = received(channel);

        assertThat(passedOn).containsExactly("POST /api/v1/track {}", "POST /api/v1/track/batch []", "GET /healthz ");
        assertThat(responses.split("HTTP/1.1 202 Accepted\r\n", -1)).hasSize(4);
        assertThat(channel.isOpen()).isTrue();
    }
}
