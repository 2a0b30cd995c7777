package dev.pageviews.read.api;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * Passes on one request of a connection at a time: the next waits until the answer to the current one is written.
 * Queries are answered from another thread, so without this a pipelined request answered at once (a static file)
 * could overtake an earlier query's answer. While requests wait, the connection is not read from.
 */
final class OneAtATime extends ChannelDuplexHandler {

    /** Requests one connection may have waiting; more are not read until these are answered. */
    private static final int MAX_WAITING = 16;

    private final Queue<FullHttpRequest> waiting = new ArrayDeque<>();
    private boolean busy;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (busy) {
            waiting.add(request);
            if (waiting.size() >= MAX_WAITING) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        busy = true;
        ctx.fireChannelRead(request);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean last = msg instanceof FullHttpResponse || msg instanceof LastHttpContent;
        ctx.write(msg, promise);
        if (last) {
            busy = false;
            FullHttpRequest next = waiting.poll();
            if (next != null) {
                busy = true;
                ctx.executor().execute(() -> ctx.fireChannelRead(next)); // after this write, not inside it
            }
            if (waiting.size() < MAX_WAITING && !ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        FullHttpRequest request;
        while ((request = waiting.poll()) != null) {
            ReferenceCountUtil.release(request);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        FullHttpRequest request;
        while ((request = waiting.poll()) != null) {
            ReferenceCountUtil.release(request);
        }
    }
}
