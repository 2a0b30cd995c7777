package dev.pageviews.read.push;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v2/stream}: a Server-Sent Events stream, one event per commit the {@link CommitFeed} reports, as a
 * chunked {@code text/event-stream} response flushed per event:
 *
 * <pre>
 * retry: 1000
 *
 * id: 42
 * data: {"seq":42,"watermark":"2026-12-07T10:15:02Z","watermark_ms":...,"committed_at":"...","committed_at_ms":...}
 *
 * : heartbeat
 * </pre>
 *
 * Between commits, a move of the job's watermark (a checkpoint without views) comes as a {@code watermark} event
 * without an id ({@link CommitEvent#watermarkFrame}), so a page keeps its lag current on an idle site.
 *
 * <p>A browser's {@code EventSource} reconnects by itself and sends the last id it saw as {@code Last-Event-ID}; the
 * stream then starts with the newest commit at once when that is another one (and a new stream starts with it
 * anyway), so a page never waits for the next commit to catch up. Comment lines every {@code heartbeat} keep proxies
 * from closing a quiet stream. A client that reads slower than commits come has at most {@code --stream-buffer}
 * bytes waiting: past that it is disconnected, and its reconnect catches up.
 */
public final class StreamHandler extends ChannelInboundHandlerAdapter {

    public static final String PATH = "/api/v2/stream";
    private static final Logger LOG = LoggerFactory.getLogger(StreamHandler.class);

    private final EventStreams streams;
    private final Supplier<CommitEvent> latest;
    private final Duration heartbeat;
    private final String idleHandlerName;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> heartbeats;
    private boolean streaming;
    private long lastSent = -1;

    /**
     * @param idleHandlerName the pipeline's idle-connection handler, removed once streaming: a stream is quiet by design
     */
    public StreamHandler(EventStreams streams, Supplier<CommitEvent> latest, Duration heartbeat, String idleHandlerName) {
        this.streams = streams;
        this.latest = latest;
        this.heartbeat = heartbeat;
        this.idleHandlerName = idleHandlerName;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (streaming) {
            ReferenceCountUtil.release(msg); // nothing follows a stream on its connection
            return;
        }
        if (!new QueryStringDecoder(request.uri()).path().equals(PATH) || !request.method().equals(HttpMethod.GET)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            start(ctx, request);
        } finally {
            request.release();
        }
    }

    private void start(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!streams.tryOpen()) {
            byte[] body = ("{\"error\":\"" + streams.max() + " streams are open, the most this service keeps "
                    + "(--max-streams); retry later\"}").getBytes(StandardCharsets.UTF_8);
            FullHttpResponse busy = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    Unpooled.wrappedBuffer(body));
            busy.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .set(HttpHeaderNames.RETRY_AFTER, "5")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(busy).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        this.ctx = ctx;
        streaming = true;
        if (ctx.pipeline().get(idleHandlerName) != null) {
            ctx.pipeline().remove(idleHandlerName);
        }
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set("X-Accel-Buffering", "no"); // nginx: pass each event on at once
        HttpUtil.setTransferEncodingChunked(response, true);
        ctx.write(response);
        ctx.write(chunk("retry: 1000\n\n")); // reconnect after a second, not the browser's default of about three
        streams.add(this);
        ctx.channel().closeFuture().addListener(f -> stopped());
        Long lastEventId = lastEventId(request);
        CommitEvent now = latest.get();
        if (now.seq() > 0 && (lastEventId == null || lastEventId != now.seq())) {
            write(now); // catch-up: the browser missed this commit, or has just opened the page
        } else if (now.watermarkMillis() != null) {
            // the browser has this commit (or there is none yet), but the watermark may have moved since
            lastSent = now.seq();
            ctx.write(chunk(now.watermarkFrame()));
        }
        ctx.flush();
        long every = heartbeat.toMillis();
        heartbeats = ctx.executor().scheduleAtFixedRate(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
    }

    private static Long lastEventId(FullHttpRequest request) {
        String id = request.headers().get("Last-Event-ID");
        if (id == null || !id.trim().matches("\\d{1,18}")) {
            return null; // absent or not ours: start with the newest commit
        }
        return Long.parseLong(id.trim());
    }

    /** From any thread: sends {@code event} on the channel's event loop, unless sent already. */
    void offer(CommitEvent event) {
        ChannelHandlerContext context = ctx;
        if (context != null) {
            context.executor().execute(() -> {
                if (send(event)) {
                    context.flush();
                }
            });
        }
    }

    /**
     * From any thread: sends the watermark move {@code event} on the channel's event loop; as the commit itself when
     * this stream has not announced that commit yet.
     */
    void offerWatermark(CommitEvent event) {
        ChannelHandlerContext context = ctx;
        if (context != null) {
            context.executor().execute(() -> {
                if (event.seq() != lastSent && event.seq() > 0) {
                    if (send(event)) {
                        context.flush();
                    }
                } else if (streaming && context.channel().isActive()) {
                    if (!context.channel().isWritable()) {
                        context.close(); // the browser reconnects and catches up
                        return;
                    }
                    context.writeAndFlush(chunk(event.watermarkFrame()));
                }
            });
        }
    }

    private boolean send(CommitEvent event) {
        if (!streaming || !ctx.channel().isActive() || event.seq() == lastSent) {
            return false;
        }
        if (!ctx.channel().isWritable()) {
            LOG.debug("Closing the stream of {}: it has more than --stream-buffer waiting", ctx.channel().remoteAddress());
            ctx.close(); // the browser reconnects with Last-Event-ID and catches up
            return false;
        }
        write(event);
        return true;
    }

    private void write(CommitEvent event) {
        lastSent = event.seq(); // before the write: a write may run queued tasks, and one may offer the same commit
        ctx.write(chunk(event.frame()));
    }

    private void heartbeat() {
        if (!ctx.channel().isActive()) {
            heartbeats.cancel(false); // closed before the heartbeats were scheduled
            return;
        }
        if (!ctx.channel().isWritable()) {
            ctx.close();
            return;
        }
        ctx.writeAndFlush(chunk(": heartbeat\n\n"));
    }

    private static DefaultHttpContent chunk(String text) {
        ByteBuf bytes = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        return new DefaultHttpContent(bytes);
    }

    /**
     * Ends the stream as a complete response (its last chunk), then closes the connection: the browser sees the stream
     * end normally, not a broken transfer, and reconnects after {@code retry} with {@code Last-Event-ID}.
     */
    void close() {
        ChannelHandlerContext context = ctx;
        if (context != null) {
            context.executor().execute(() -> context.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                    .addListener(ChannelFutureListener.CLOSE));
        }
    }

    private void stopped() {
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        streams.closed(this);
    }
}
