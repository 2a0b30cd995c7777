package dev.pageviews.read.api;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/** A request the HTTP decoder could not read (a bad request line, a bad header) gets 400, and the connection ends. */
@io.netty.channel.ChannelHandler.Sharable
final class BadRequests extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request && request.decoderResult().isFailure()) {
            String why = String.valueOf(request.decoderResult().cause().getMessage());
            request.release();
            Replies.send(ctx, false, Replies.error(HttpResponseStatus.BAD_REQUEST, "the request cannot be read: "
                    + (why.length() > 100 ? why.substring(0, 100) : why)));
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
