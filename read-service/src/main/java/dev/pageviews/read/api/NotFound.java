package dev.pageviews.read.api;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import dev.pageviews.read.push.StreamHandler;
import io.netty.util.ReferenceCountUtil;

/** The end of the pipeline: what no handler before took is 404, or 405 on the stream's path, or 400 when unreadable. */
@io.netty.channel.ChannelHandler.Sharable
final class NotFound extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            String path = new QueryStringDecoder(request.uri()).path();
            FullHttpResponse response;
            if (path.equals(StreamHandler.PATH)) {
                response = Replies.error(HttpResponseStatus.METHOD_NOT_ALLOWED, request.method() + " " + path
                        + " is not allowed; the stream is read with GET");
                response.headers().set(HttpHeaderNames.ALLOW, "GET");
            } else {
                response = Replies.error(HttpResponseStatus.NOT_FOUND, "no such path " + path + "; this service answers "
                        + "POST /api/v2/query, GET /api/v2/stream, the dashboard at /, /healthz and /readyz");
            }
            Replies.send(ctx, keepAlive, response);
        } finally {
            request.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a connection reset by the client, mostly; nothing to answer on a broken connection
        org.slf4j.LoggerFactory.getLogger(NotFound.class).debug("Closing {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
