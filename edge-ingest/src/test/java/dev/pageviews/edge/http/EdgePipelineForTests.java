package dev.pageviews.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.metrics.Metrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.EmptyByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The public port's pipeline around handlers under test: sequencer, framing errors and router before them, and after
 * them a stand-in for the event handler that answers 202 to whatever reaches it, then {@link Unanswered}.
 *
 * <p>An instance keeps every request it was given and every response it read, so that {@link #assertAllReleased()}
 * can check each was released, and copies each answer out before releasing its response.
 */
public final class EdgePipelineForTests {

    private final EmbeddedChannel channel;
    private final List<FullHttpRequest> requests = new ArrayList<>();
    private final List<FullHttpResponse> responses = new ArrayList<>();

    public EdgePipelineForTests(Metrics metrics, ChannelHandler... handlers) {
        this.channel = channel(metrics, handlers);
    }

    private static EmbeddedChannel channel(Metrics metrics, ChannelHandler... handlers) {
        EmbeddedChannel channel = new EmbeddedChannel(new ResponseSequencer(64, metrics), new FramingErrors(1024, 1),
                new Router("/pv.js"));
        channel.pipeline().addLast(handlers);
        channel.pipeline().addLast(new ExchangeHandler() {
            @Override
            protected boolean answer(Exchange exchange) {
                exchange.reply(Replies.empty(HttpResponseStatus.ACCEPTED));
                return true;
            }
        }, new Unanswered());
        return channel;
    }

    /**
     * A request with a UTF-8 body and headers given as name, value, name, value... The body is a direct buffer of the
     * allocator the server's connections use, as the aggregator's would be: Netty tracks those for leaks (it does not
     * track unpooled heap buffers).
     */
    public static FullHttpRequest request(HttpMethod method, String uri, String body, String... headers) {
        ByteBuf content = ByteBufAllocator.DEFAULT.directBuffer();
        content.writeCharSequence(body, StandardCharsets.UTF_8);
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, content);
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        return request;
    }

    /** What a response said, copied out of it: its buffers are released by then. */
    public record Answer(HttpResponseStatus status, HttpHeaders headers, String body) {
        public String header(CharSequence name) {
            return headers.get(name);
        }
    }

    /** Hands the request to the pipeline; its answer, if any yet, waits for {@link #answer()}. */
    public void send(FullHttpRequest request) {
        requests.add(request);
        channel.writeInbound(request);
    }

    /** Sends the request and returns its answer, which must have been written at once. */
    public Answer exchange(FullHttpRequest request) {
        send(request);
        Answer answer = answer();
        assertThat(answer).as("the answer to %s %s", request.method(), request.uri()).isNotNull();
        return answer;
    }

    /** The next answer written to the connection, or null when none is. */
    public Answer answer() {
        FullHttpResponse response = channel.readOutbound();
        if (response == null) {
            return null;
        }
        responses.add(response);
        try {
            return new Answer(response.status(), new DefaultHttpHeaders().add(response.headers()),
                    response.content().toString(StandardCharsets.UTF_8));
        } finally {
            response.release();
        }
    }

    /** True while the connection is open (a framing error or 500 would close it). */
    public boolean isOpen() {
        return channel.isOpen();
    }

    /** Closes the channel: no answer left unread, every request and response released. */
    public void assertAllReleased() {
        assertThat(channel.finishAndReleaseAll()).as("answers or messages left unread").isFalse();
        assertThat(requests).as("requests").allSatisfy(request -> assertThat(request.refCnt()).isZero());
        assertThat(responses).as("responses")
                .filteredOn(response -> !(response.content() instanceof EmptyByteBuf)) // shared, never freed
                .allSatisfy(response -> assertThat(response.refCnt()).isZero());
    }
}
