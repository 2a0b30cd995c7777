package dev.pageviews.edge.http;

import static dev.pageviews.edge.http.EdgePipelineForTests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.metrics.Metrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sequencer between the aggregator and the handlers, with a handler after it that keeps each exchange for the test
 * to answer when it likes, as Kafka's acknowledgements do: answers go out in request order whatever order they come in,
 * the connection's last answer carries {@code Connection: close} and closes it, reading pauses while too many answers
 * are due, and an idle connection closes only when no answer is due. Every request and every answer, even one that
 * comes after its connection closed, is released; the buffers are tracked by {@link NoLeaks}.
 */
@ExtendWith(NoLeaks.class)
class ResponseSequencerTest {

    private static final int MAX_PENDING = 3;

    private final Metrics metrics = new Metrics();
    private final List<FullHttpRequest> requests = new ArrayList<>();
    private final List<FullHttpResponse> answers = new ArrayList<>();
    /** The exchanges that reached the handlers, in order, waiting for the test to answer them. */
    private final List<Exchange> due = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new ResponseSequencer(MAX_PENDING, metrics),
            new ExchangeHandler() {
                @Override
                protected boolean answer(Exchange exchange) {
                    due.add(exchange);
                    return true;
                }
            }, new Unanswered());

    @AfterEach
    void everythingReleased() {
        assertThat(channel.finishAndReleaseAll()).as("answers left unread").isFalse();
        assertThat(requests).as("requests").allSatisfy(request -> assertThat(request.refCnt()).isZero());
        assertThat(answers).as("answers").allSatisfy(answer -> assertThat(answer.refCnt()).isZero());
        assertThat(metrics.requestsInFlight()).as("requests in flight").hasValue(0);
        metrics.close();
    }

    @Test
    void answersThatCompleteOutOfOrderAreWrittenInRequestOrder() {
        send("/1");
        send("/2");
        send("/3");

        due.get(2).reply(answer("third"));
        List<String> afterThird = written();
        due.get(0).reply(answer("first"));
        List<String> afterFirst = written();
        due.get(1).reply(answer("second"));
        List<String> afterSecond = written();

        assertThat(afterThird).as("the third waits for the first two").isEmpty();
        assertThat(afterFirst).containsExactly("200 first");
        assertThat(afterSecond).containsExactly("200 second", "200 third");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void theClientsLastRequestIsAnsweredWithCloseAndWhatItPipelinedAfterIsDropped() {
        send("/1");
        send("/2", "Connection", "close");
        FullHttpRequest afterLast = send("/3");

        due.get(1).reply(answer("second"));
        boolean openWhileTheFirstIsDue = channel.isOpen();
        due.get(0).reply(answer("first"));

        assertThat(due).as("what reached the handlers").hasSize(2);
        assertThat(afterLast.refCnt()).as("the request after the last, released unread").isZero();
        assertThat(openWhileTheFirstIsDue).isTrue();
        assertThat(written()).containsExactly("200 first", "200 second close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aHandlersCloseWaitsForTheAnswersDueBeforeItAndLaterAnswersAreReleased() {
        send("/1");
        send("/2");
        send("/3");

        due.get(1).replyAndClose(answer("second"));
        due.get(0).reply(answer("first"));
        FullHttpResponse late = answer("third");
        due.get(2).reply(late);

        assertThat(written()).containsExactly("200 first", "200 second close");
        assertThat(channel.isOpen()).isFalse();
        assertThat(late.refCnt()).as("an answer after the connection closed").isZero();
        assertThat(due.get(2).request().refCnt()).isZero();
    }

    @Test
    void readingPausesWhileTheMostAnswersAreDueAndResumesWhenOneIsWritten() {
        send("/1");
        send("/2");
        boolean readingBelowTheMost = channel.config().isAutoRead();
        send("/3");
        boolean readingAtTheMost = channel.config().isAutoRead();
        due.get(1).reply(answer("second"));
        boolean readingWhileTheFirstIsDue = channel.config().isAutoRead();
        due.get(0).reply(answer("first"));

        assertThat(readingBelowTheMost).isTrue();
        assertThat(readingAtTheMost).isFalse();
        assertThat(readingWhileTheFirstIsDue).as("an answer that cannot be written yet frees nothing").isFalse();
        assertThat(channel.config().isAutoRead()).isTrue();
        due.get(2).reply(answer("third"));
        assertThat(written()).containsExactly("200 first", "200 second", "200 third");
    }

    @Test
    void anIdleConnectionClosesOnlyWhenNoAnswerIsDue() {
        send("/1");

        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        boolean openWhileAnAnswerIsDue = channel.isOpen();
        due.get(0).reply(answer("first"));
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);

        assertThat(openWhileAnAnswerIsDue).as("Kafka's delivery timeout bounds that wait, not idleness").isTrue();
        assertThat(written()).containsExactly("200 first");
        assertThat(channel.isOpen()).isFalse();
        assertThat(metrics.exposition()).contains("edge_connections_timed_out_total 1.0\n");
    }

    @Test
    void onShutdownWhatWasReceivedIsAnsweredAndTheLastAnswerCloses() {
        send("/1");

        channel.pipeline().fireUserEventTriggered(ResponseSequencer.SHUTDOWN);
        FullHttpRequest afterShutdown = send("/2");
        boolean openWhileAnAnswerIsDue = channel.isOpen();
        due.get(0).reply(answer("first"));

        assertThat(openWhileAnAnswerIsDue).isTrue();
        assertThat(due).hasSize(1);
        assertThat(afterShutdown.refCnt()).isZero();
        assertThat(written()).containsExactly("200 first close");
        assertThat(channel.isOpen()).isFalse();
    }

    private FullHttpRequest send(String uri, String... headers) {
        FullHttpRequest request = request(HttpMethod.POST, uri, "{}", headers);
        requests.add(request);
        channel.writeInbound(request);
        return request;
    }

    /** An answer whose body is a buffer Netty tracks, so one the sequencer drops unreleased is a leak. */
    private FullHttpResponse answer(String body) {
        ByteBuf content = ByteBufAllocator.DEFAULT.directBuffer();
        content.writeCharSequence(body, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
        answers.add(response);
        return response;
    }

    /** The answers written since the last call, as "status body" and " close" when they close the connection. */
    private List<String> written() {
        List<String> written = new ArrayList<>();
        FullHttpResponse response;
        while ((response = channel.readOutbound()) != null) {
            String close = response.headers().contains(HttpHeaderNames.CONNECTION, "close", true) ? " close" : "";
            written.add(response.status().code() + " " + response.content().toString(StandardCharsets.UTF_8) + close);
            response.release();
        }
        return written;
    }
}
