package dev.pageviews.edge.http;

import dev.pageviews.edge.metrics.Metrics;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides a connection's fate. Wraps each request in an {@link Exchange}, writes the
 * responses in request order (HTTP/1.1 pipelining: a later request's Kafka ack may arrive first), and
 * decides keep-alive versus {@code Connection: close}: the client's wish, a handler's
 * {@link Exchange#replyAndClose}, or server shutdown. Also closes idle connections that wait for nothing.
 */
public final class ResponseSequencer extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ResponseSequencer.class);

    /** Fired down a connection's pipeline when the server shuts down. */
    public static final Object SHUTDOWN = new Object() {
        @Override
        public String toString() {
            return "SHUTDOWN";
        }
    };

    private final int maxPending;
    private final Metrics metrics;
    private final ArrayDeque<Exchange> pending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private SlowRequestGuard slowRequests;
    /** No new requests are taken: a closing response was written, or the server is shutting down. */
    private boolean closing;
    private boolean shuttingDown;

    public ResponseSequencer(int maxPending, Metrics metrics) {
        this.maxPending = maxPending;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.slowRequests = ctx.pipeline().get(SlowRequestGuard.class);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (slowRequests != null) {
            slowRequests.requestCompleted();
        }
        if (closing) {
            request.release(); // pipelined after a closing response: never processed
            return;
        }
        Exchange exchange = new Exchange(request, this, ctx.channel().eventLoop(), ctx.channel().remoteAddress());
        if (!HttpUtil.isKeepAlive(request) || request.decoderResult().isFailure()) {
            // the client's last request, or bytes we cannot frame: answer it, then process nothing more
            exchange.closeAfterResponse();
            closing = true;
        }
        pending.add(exchange);
        metrics.requestsInFlight().incrementAndGet();
        pauseOrResumeReading();
        ctx.fireChannelRead(exchange);
    }

    /**
     * Backpressure: a client that pipelines without reading its answers must not make the edge queue
     * without bound, so reading stops while too many answers are due or the socket cannot take more.
     */
    private void pauseOrResumeReading() {
        boolean read = pending.size() < maxPending && ctx.channel().isWritable();
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        pauseOrResumeReading();
        ctx.fireChannelWritabilityChanged();
    }

    /** Called on the event loop when an exchange got its response: writes every response now due. */
    void replied() {
        boolean wrote = false;
        Exchange head;
        while ((head = pending.peek()) != null && head.hasResponse()) {
            pending.poll();
            wrote = true;
            if (!write(head)) {
                return; // the connection is closing; write() flushed
            }
        }
        if (wrote) {
            ctx.flush();
            pauseOrResumeReading();
        }
    }

    /** Writes one response; returns false when the connection closes after it. */
    private boolean write(Exchange exchange) {
        FullHttpResponse response = exchange.takeResponse();
        FullHttpRequest request = exchange.request();
        boolean keepAlive = !exchange.closesConnection() && !(shuttingDown && pending.isEmpty());
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        metrics.requestAnswered(exchange.route().label(), response.status().code());
        finish(exchange);
        if (keepAlive) {
            ctx.write(response, ctx.voidPromise());
            return true;
        }
        LingeringClose.after(ctx.writeAndFlush(response), ctx);
        startClosing();
        return false;
    }

    private void startClosing() {
        closing = true;
        Exchange dropped;
        while ((dropped = pending.poll()) != null) {
            finish(dropped);
        }
    }

    private void finish(Exchange exchange) {
        if (exchange.finish()) {
            metrics.requestsInFlight().decrementAndGet();
        }
    }

    boolean hasPendingResponses() {
        return !pending.isEmpty();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            if (pending.isEmpty()) { // a pending reply is bounded by Kafka's delivery timeout instead
                LOG.debug("Closing idle connection {}", ctx.channel());
                metrics.connectionTimedOut();
                ctx.close();
            }
        } else if (event == SHUTDOWN) {
            shuttingDown = true;
            if (pending.isEmpty()) {
                ctx.close();
            } else {
                closing = true; // answer what was received; the last response closes the connection
            }
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        startClosing();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Closing connection {} after an error", ctx.channel(), cause);
        ctx.close();
    }
}
