package dev.pageviews.edge.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A handler of {@link Exchange}s: each one it does not {@link #answer} passes on down the pipeline. A bug
 * in a handler answers 500 rather than leaving the client waiting.
 */
@ChannelHandler.Sharable
public abstract class ExchangeHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ExchangeHandler.class);

    /** Answers the exchange (now or later) and returns true, or returns false to pass it on. */
    protected abstract boolean answer(Exchange exchange);

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Exchange exchange)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (!answer(exchange)) {
                ctx.fireChannelRead(exchange);
            }
        } catch (RuntimeException e) {
            LOG.error("{} failed on {} {}", getClass().getSimpleName(), exchange.request().method(), exchange.route(), e);
            exchange.replyAndClose(Replies.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal_error", null,
                    "the server failed to handle the request; it was not stored"));
        }
    }
}
