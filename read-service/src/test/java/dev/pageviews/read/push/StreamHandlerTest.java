package dev.pageviews.read.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stream's framing, catch-up, heartbeats and bounds, on an {@code EmbeddedChannel}; every chunk released. */
class StreamHandlerTest {

    private final EventStreams streams = new EventStreams(2);
    private final AtomicReference<CommitEvent> latest = new AtomicReference<>(new CommitEvent(5, 1_000L, 2_000L));
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final List<FullHttpRequest> requests = new ArrayList<>();

    @AfterEach
    void released() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        requests.forEach(r -> assertThat(r.refCnt()).isZero());
    }

    private EmbeddedChannel stream(String lastEventId) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast("idle", new IdleStateHandler(0, 0, 60));
        channel.pipeline().addLast(new StreamHandler(streams, latest::get, Duration.ofSeconds(15), "idle"));
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/v2/stream",
                Unpooled.buffer(0)); // not EMPTY_BUFFER: that one never counts down, so released() could not check it
        if (lastEventId != null) {
            request.headers().set("Last-Event-ID", lastEventId);
        }
        requests.add(request);
        channels.add(channel);
        channel.writeInbound(request);
        return channel;
    }

    /** The text of every chunk written so far, each released. */
    private static String chunks(EmbeddedChannel channel) {
        channel.runPendingTasks();
        StringBuilder text = new StringBuilder();
        Object out;
        while ((out = channel.readOutbound()) != null) {
            if (out instanceof HttpContent content) {
                text.append(content.content().toString(StandardCharsets.UTF_8));
                assertThat(content.release()).isTrue();
            }
        }
        return text.toString();
    }

    @Test
    void aStreamIsChunkedEventStreamStartingWithTheNewestCommit() {
        EmbeddedChannel channel = stream(null);
        HttpResponse response = channel.readOutbound();
        assertThat(response.status().code()).isEqualTo(200);
        assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/event-stream; charset=utf-8");
        assertThat(response.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-cache");
        assertThat(HttpUtil.isTransferEncodingChunked(response)).isTrue();
        assertThat(chunks(channel)).isEqualTo("retry: 1000\n\n"
                + "id: 5\ndata: {\"seq\":5,\"watermark\":\"1970-01-01T00:00:01Z\",\"watermark_ms\":1000,"
                + "\"committed_at\":\"1970-01-01T00:00:02Z\",\"committed_at_ms\":2000}\n\n");
        assertThat(channel.pipeline().get("idle")).as("a quiet stream is not idle").isNull();
        assertThat(streams.open()).isEqualTo(1);
    }

    @Test
    void eachCommitIsOneEventFlushedAtOnceAndNeverTwice() {
        EmbeddedChannel channel = stream("5");
        channel.readOutbound();
        assertThat(chunks(channel)).as("up to date: no catch-up, only the watermark").isEqualTo("retry: 1000\n\n"
                + "event: watermark\ndata: {\"seq\":5,\"watermark\":\"1970-01-01T00:00:01Z\",\"watermark_ms\":1000,"
                + "\"committed_at\":\"1970-01-01T00:00:02Z\",\"committed_at_ms\":2000}\n\n");
        streams.commit(new CommitEvent(6, 1_500L, 2_500L));
        streams.commit(new CommitEvent(6, 1_500L, 2_500L));
        assertThat(chunks(channel)).startsWith("id: 6\ndata: {\"seq\":6,").doesNotContain("id: 5").containsOnlyOnce("id: 6");
        streams.commit(new CommitEvent(7, null, null));
        assertThat(chunks(channel)).isEqualTo("id: 7\ndata: {\"seq\":7,\"watermark\":null,\"watermark_ms\":null,"
                + "\"committed_at\":null,\"committed_at_ms\":null}\n\n");
    }

    @Test
    void aWatermarkMoveBetweenCommitsIsAWatermarkEventWithoutAnId() {
        EmbeddedChannel channel = stream(null);
        channel.readOutbound();
        assertThat(chunks(channel)).contains("id: 5\n");
        streams.watermark(new CommitEvent(5, 3_000L, 2_000L));
        streams.watermark(new CommitEvent(5, 4_000L, 2_000L));
        assertThat(chunks(channel)).as("the browser's last event id stays 5").isEqualTo(
                "event: watermark\ndata: {\"seq\":5,\"watermark\":\"1970-01-01T00:00:03Z\",\"watermark_ms\":3000,"
                + "\"committed_at\":\"1970-01-01T00:00:02Z\",\"committed_at_ms\":2000}\n\n"
                + "event: watermark\ndata: {\"seq\":5,\"watermark\":\"1970-01-01T00:00:04Z\",\"watermark_ms\":4000,"
                + "\"committed_at\":\"1970-01-01T00:00:02Z\",\"committed_at_ms\":2000}\n\n");
        // a move reported after a commit this stream has not announced (it opened in between): the commit itself
        streams.watermark(new CommitEvent(6, 5_000L, 4_500L));
        assertThat(chunks(channel)).startsWith("id: 6\ndata: {\"seq\":6,").doesNotContain("event:");
    }

    @Test
    void aReconnectBehindCatchesUpAtOnce() {
        EmbeddedChannel channel = stream("3");
        channel.readOutbound();
        assertThat(chunks(channel)).contains("id: 5\n");
        EmbeddedChannel strange = stream("not-a-number");
        strange.readOutbound();
        assertThat(chunks(strange)).contains("id: 5\n");
    }

    @Test
    void heartbeatsKeepAQuietStreamOpen() {
        EmbeddedChannel channel = stream("5");
        channel.readOutbound();
        chunks(channel);
        channel.advanceTimeBy(15, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(chunks(channel)).isEqualTo(": heartbeat\n\n");
    }

    @Test
    void moreStreamsThanTheMostGet503AndAClosedOneFreesItsPlace() {
        EmbeddedChannel first = stream(null);
        stream(null);
        EmbeddedChannel third = stream(null);
        FullHttpResponse busy = third.readOutbound();
        assertThat(busy.status().code()).isEqualTo(503);
        assertThat(busy.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("5");
        assertThat(busy.release()).isTrue();
        assertThat(third.isOpen()).isFalse();
        first.close();
        first.runPendingTasks();
        assertThat(streams.open()).isEqualTo(1);
        EmbeddedChannel fourth = stream(null);
        assertThat(((HttpResponse) fourth.readOutbound()).status().code()).isEqualTo(200);
    }

    @Test
    void aServiceThatStopsEndsEachStreamAsACompleteResponse() {
        EmbeddedChannel channel = stream("5");
        channel.readOutbound();
        chunks(channel);
        streams.closeAll();
        channel.runPendingTasks();
        Object last = channel.readOutbound();
        assertThat(last).as("the last chunk: the browser sees the stream end, not a broken transfer")
                .isInstanceOf(io.netty.handler.codec.http.LastHttpContent.class);
        io.netty.util.ReferenceCountUtil.release(last);
        assertThat(channel.isOpen()).isFalse();
        assertThat(streams.open()).isZero();
    }

    @Test
    void aClientThatFallsBehindIsDisconnected() {
        EmbeddedChannel channel = stream("5");
        channel.readOutbound();
        chunks(channel);
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // as when --stream-buffer is full
        streams.commit(new CommitEvent(6, null, null));
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(streams.open()).isZero();
    }
}
