package dev.pageviews.edge.http;

import dev.pageviews.edge.metrics.Metrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops slow clients holding connections: a request must arrive in full within the request timeout of its
 * first byte, and a client may not pause mid-request longer than the idle timeout. Either way the client
 * gets 408 and the connection closes. (Idleness between requests is the {@link ResponseSequencer}'s to
 * handle.) The request timeout stops a client that trickles a byte just before each idle period ends.
 *
 * <p>Sits in front of the HTTP codec, where bytes arrive; the sequencer tells it when a whole request
 * has been received. One timer per connection, re-armed lazily, so a request costs no scheduling.
 */
public final class SlowRequestGuard extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(SlowRequestGuard.class);
    private static final String TIMEOUT_BODY =
            "{\"error\":\"request_timeout\",\"problem\":\"the request did not arrive in full in time\"}";
    /** Written as bytes: the HTTP encoder cannot answer a request the decoder has not finished. */
    private static final byte[] REQUEST_TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\n"
            + "content-type: " + Replies.JSON + "\r\n"
            + "content-length: " + TIMEOUT_BODY.length() + "\r\n"
            + "connection: close\r\n\r\n"
            + TIMEOUT_BODY).getBytes(StandardCharsets.US_ASCII);

    private final long timeoutNanos;
    private final Metrics metrics;
    private ChannelHandlerContext ctx;
    /** When the first byte of the request now arriving came; 0 when no request is partly received. */
    private long requestStartNanos;
    private ScheduledFuture<?> timer;
    private boolean timedOut;

    public SlowRequestGuard(long requestTimeoutMillis, Metrics metrics) {
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(requestTimeoutMillis);
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (timedOut) {
            ((ByteBuf) msg).release();
            return;
        }
        if (requestStartNanos == 0 && msg instanceof ByteBuf bytes && bytes.isReadable()) {
            requestStartNanos = now() | 1; // never 0
            if (timer == null) {
                arm(timeoutNanos);
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** A whole request arrived; the next bytes start the clock again. */
    void requestCompleted() {
        requestStartNanos = 0;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && requestStartNanos != 0) {
            timeOut("the client paused mid-request for the idle timeout");
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    /**
     * The time on the clock the timer is scheduled by: the event loop's ticker (the system's nanoTime on a server's
     * loop), so the elapsed time and the timer always agree, and a test's embedded loop can move both.
     */
    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    private void arm(long delayNanos) {
        timer = ctx.executor().schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
        timer = null;
        if (requestStartNanos == 0 || !ctx.channel().isActive()) {
            return;
        }
        long left = timeoutNanos - (now() - requestStartNanos);
        if (left > 0) {
            arm(left);
        } else {
            timeOut("a request took longer than the request timeout to arrive");
        }
    }

    private void timeOut(String why) {
        if (timedOut) {
            return;
        }
        timedOut = true;
        requestStartNanos = 0;
        LOG.debug("Closing {}: {}", ctx.channel(), why);
        metrics.connectionTimedOut();
        ResponseSequencer sequencer = ctx.pipeline().get(ResponseSequencer.class);
        if (sequencer != null && sequencer.hasPendingResponses()) {
            ctx.close(); // a 408 now would overtake the responses still due on this connection
            return;
        }
        metrics.requestAnswered(Route.UNMATCHED.label(), 408);
        LingeringClose.after(ctx.writeAndFlush(Unpooled.wrappedBuffer(REQUEST_TIMEOUT)), ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        requestStartNanos = 0;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        ctx.fireChannelInactive();
    }
}
