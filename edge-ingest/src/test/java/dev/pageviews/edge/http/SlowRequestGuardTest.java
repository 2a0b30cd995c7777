package dev.pageviews.edge.http;

import static dev.pageviews.edge.http.WireForTests.received;
import static dev.pageviews.edge.http.WireForTests.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.metrics.Metrics;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Slow clients, as bytes through the guard, the codec and the public port's handlers, on the embedded event loop's
 * frozen clock, which the test moves: a request not in full within the request timeout of its first byte is answered
 * 408 and the connection closed, even while bytes still trickle in; the clock starts again at each request's first
 * byte; a pause mid-request for the idle timeout is also 408, idleness between requests is not; and a 408 never
 * overtakes answers still due. Leak-checked, including the bytes of a request that timed out.
 */
@ExtendWith(NoLeaks.class)
class SlowRequestGuardTest {

    private static final long TIMEOUT_MILLIS = 1_000;
    private static final String PARTIAL = "POST /api/v1/track HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{";

    private final Metrics metrics = new Metrics();
    /** The exchanges that reached the handlers, waiting for the test to answer them. */
    private final List<Exchange> due = new ArrayList<>();
    private final EmbeddedChannel channel = connection();

    @BeforeEach
    void freezeTheClock() {
        channel.freezeTime();
    }

    @AfterEach
    void everythingReleased() {
        WireForTests.finish(channel);
        metrics.close();
    }

    @Test
    void aRequestNotInFullWithinTheTimeoutOfItsFirstByteIs408AndClosesTheConnection() {
        send(channel, PARTIAL);
        advance(600);
        send(channel, "\"a"); // trickling keeps the connection from going idle
        advance(399);
        String justBefore = received(channel);
        advance(2); // just past: the guard keeps the start time odd (never 0), so it may be 1 ns later than the byte

        assertThat(justBefore).isEmpty();
        assertThat(received(channel)).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("connection: close\r\n")
                .endsWith("{\"error\":\"request_timeout\",\"problem\":\"the request did not arrive in full in time\"}");
        assertThat(channel.isOpen()).isFalse();
        assertThat(due).isEmpty();
        assertThat(metrics.exposition()).contains("edge_connections_timed_out_total 1.0\n",
                "edge_http_requests_total{route=\"unmatched\",status=\"408\"} 1.0\n");
    }

    @Test
    void theClockStartsAgainAtTheFirstByteOfEachRequest() {
        send(channel, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        due.get(0).reply(Replies.empty(HttpResponseStatus.OK));
        advance(900);
        send(channel, PARTIAL);
        advance(900); // 1,800 ms after the first request began, 900 after the second did
        String beforeTheSecondsTimeout = received(channel);
        advance(101);

        assertThat(beforeTheSecondsTimeout).startsWith("HTTP/1.1 200 OK\r\n").doesNotContain("408");
        assertThat(received(channel)).startsWith("HTTP/1.1 408 Request Timeout\r\n");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aPauseMidRequestForTheIdleTimeoutIs408ButIdlenessBetweenRequestsIsNot() {
        EmbeddedChannel betweenRequests = connection();
        send(betweenRequests, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        due.get(0).reply(Replies.empty(HttpResponseStatus.OK));
        send(channel, PARTIAL);

        betweenRequests.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);

        assertThat(received(channel)).startsWith("HTTP/1.1 408 Request Timeout\r\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(received(betweenRequests)).as("closed by the sequencer, without a 408")
                .startsWith("HTTP/1.1 200 OK\r\n").doesNotContain("408");
        assertThat(betweenRequests.isOpen()).isFalse();
        WireForTests.finish(betweenRequests);
    }

    @Test
    void aTimeoutWhileAnAnswerIsDueClosesWithoutA408ThatWouldOvertakeIt() {
        send(channel, "POST /api/v1/track HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
        send(channel, PARTIAL);
        advance(TIMEOUT_MILLIS + 1);

        assertThat(channel.isOpen()).isFalse();
        assertThat(received(channel)).isEmpty();
        assertThat(metrics.exposition()).contains("edge_connections_timed_out_total 1.0\n")
                .doesNotContain("status=\"408\"");
        FullHttpResponse late = Replies.empty(HttpResponseStatus.ACCEPTED);
        due.get(0).reply(late);
        assertThat(due.get(0).request().refCnt()).isZero();
    }

    /** Moves the embedded loop's clock on and runs the timers now due. */
    private void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    private EmbeddedChannel connection() {
        return new EmbeddedChannel(new SlowRequestGuard(TIMEOUT_MILLIS, metrics), new HttpServerCodec(),
                new LengthRequiredCheck(), new BodyAggregator(1024), new ResponseSequencer(64, metrics),
                new FramingErrors(1024, 1), new Router("/pv.js"), new ExchangeHandler() {
                    @Override
                    protected boolean answer(Exchange exchange) {
                        due.add(exchange);
                        return true;
                    }
                }, new Unanswered());
    }
}
