package dev.pageviews.edge.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Marks a POST that has neither {@code Content-Length} nor chunked encoding, so it can be answered 411.
 * It must run before the aggregator, which adds a {@code Content-Length} to every request it completes.
 */
@ChannelHandler.Sharable
public final class LengthRequiredCheck extends ChannelInboundHandlerAdapter {

    /** The decoder-result cause that {@link FramingErrors} turns into 411. */
    static final class LengthRequired extends DecoderException {
        LengthRequired() {
            super("POST without Content-Length or chunked Transfer-Encoding");
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request && !(msg instanceof FullHttpRequest)
                && request.method().equals(HttpMethod.POST)
                && request.decoderResult().isSuccess()
                && !HttpUtil.isContentLengthSet(request)
                && !HttpUtil.isTransferEncodingChunked(request)) {
            request.setDecoderResult(DecoderResult.failure(new LengthRequired()));
        }
        ctx.fireChannelRead(msg);
    }
}
