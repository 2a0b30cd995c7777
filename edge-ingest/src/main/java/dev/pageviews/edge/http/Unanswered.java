package dev.pageviews.edge.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Last in the pipeline: an exchange no handler took is a bug (500); stray errors close the connection. */
@ChannelHandler.Sharable
public final class Unanswered extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(Unanswered.class);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Exchange exchange) {
            LOG.error("No handler answered {} {}", exchange.request().method(), exchange.route());
            exchange.replyAndClose(Replies.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal_error", null,
                    "the server has no handler for this request"));
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Closing {} after an error", ctx.channel(), cause);
        ctx.close();
    }
}
