package dev.pageviews.edge.http;

import static dev.pageviews.edge.http.EdgePipelineForTests.request;
import static dev.pageviews.edge.http.WireForTests.received;
import static dev.pageviews.edge.http.WireForTests.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.http.EdgePipelineForTests.Answer;
import dev.pageviews.edge.metrics.Metrics;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Requests the HTTP decoder could not take, fed as bytes to the public port's pipeline: each gets the status and error
 * code that names its problem, and the connection is closed, because the bytes after a framing error cannot be trusted
 * to start a request. Leak-checked, including the request the decoder failed.
 */
@ExtendWith(NoLeaks.class)
class FramingErrorsTest {

    private final Metrics metrics = new Metrics();
    private final List<String> passedOn = new ArrayList<>();
    private final EmbeddedChannel channel = WireForTests.publicPort(metrics, 1024, null, passedOn);

    @AfterEach
    void everythingReleased() {
        WireForTests.finish(channel);
        metrics.close();
    }

    @ParameterizedTest(name = "{0}: {1} {2}")
    @CsvSource(delimiter = '|', textBlock = """
            not HTTP           | 400 Bad Request                     | bad_request           | HELLO THERE\\r\\n\\r\\n
            header without :   | 400 Bad Request                     | bad_request           | GET /healthz HTTP/1.1\\r\\nBad Header y\\r\\n\\r\\n
            long request line  | 414 Request-URI Too Long            | request_line_too_long | GET /healthz?q=LONG HTTP/1.1\\r\\n\\r\\n
            large headers      | 431 Request Header Fields Too Large | headers_too_large     | GET /healthz HTTP/1.1\\r\\nX-Big: LONG\\r\\n\\r\\n
            """)
    void aRequestTheDecoderCannotTakeIsAnsweredWithItsProblemAndClosesTheConnection(String what, String status,
            String error, String request) {
        String bytes = request.replace("\\r\\n", "\r\n").replace("LONG", "x".repeat(600));

        send(channel, bytes + "GET /healthz HTTP/1.1\r\n\r\n"); // a request after it: never answered

        String response = received(channel);
        assertThat(response).startsWith("HTTP/1.1 " + status + "\r\n").contains("connection: close\r\n")
                .contains("\"error\":\"" + error + "\"").containsOnlyOnce("HTTP/1.1 ");
        assertThat(channel.isOpen()).isFalse();
        assertThat(passedOn).isEmpty();
        assertThat(metrics.exposition())
                .contains("edge_http_requests_total{route=\"unmatched\",status=\"" + status.substring(0, 3) + "\"} 1.0\n");
    }

    @Test
    void aBodyTheMemoryBudgetRefusedIs503WithRetryAfter() {
        channel.close();
        EdgePipelineForTests pipeline = new EdgePipelineForTests(metrics);
        FullHttpRequest refused = request(HttpMethod.POST, "/api/v1/track", "");
        refused.setDecoderResult(DecoderResult.failure(new BodyMemoryBudget.BodyMemoryFull(1 << 20)));

        Answer answer = pipeline.exchange(refused);

        assertThat(answer.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(answer.header(HttpHeaderNames.RETRY_AFTER)).isEqualTo("1");
        assertThat(answer.header(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertThat(answer.body()).contains("\"error\":\"busy\"", "Retry-After");
        assertThat(pipeline.isOpen()).isFalse();
        pipeline.assertAllReleased();
    }
}
