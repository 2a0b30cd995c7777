package dev.pageviews.edge.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpContentException;

/**
 * Netty's aggregator with the body limit, but an oversized body is passed on as a failed request
 * instead of being answered here, so its 413 goes out in request order, with a JSON body, through the
 * same handlers and metrics as every other response.
 */
public final class BodyAggregator extends HttpObjectAggregator {

    public BodyAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        if (HttpUtil.is100ContinueExpected(start) && isContentLengthInvalid(start, maxContentLength)) {
            return null; // answered 413 by handleOversizedMessage instead of 100 Continue
        }
        return super.newContinueResponse(start, maxContentLength, pipeline);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (oversized instanceof HttpRequest request) {
            FullHttpRequest failed = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                    request.uri(), Unpooled.EMPTY_BUFFER, request.headers().copy(), EmptyHttpHeaders.INSTANCE);
            failed.setDecoderResult(DecoderResult.failure(new TooLongHttpContentException(
                    "body larger than " + maxContentLength() + " bytes")));
            ctx.fireChannelRead(failed);
        }
    }
}
