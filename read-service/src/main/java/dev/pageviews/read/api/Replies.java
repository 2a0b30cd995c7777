package dev.pageviews.read.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Writes answers: keep-alive and {@code Connection: close} are decided here, in one place. */
final class Replies {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Replies() {}

    static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        if (contentType != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    /** {@code {"error": message}}, the shape of Plausible's errors. */
    static FullHttpResponse error(HttpResponseStatus status, String message) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(Map.of("error", message));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            body = "{\"error\":\"unexpected error\"}".getBytes(StandardCharsets.UTF_8);
        }
        return response(status, "application/json", body);
    }

    /**
     * Sends {@code response} for a request that asked for keep-alive ({@code keepAlive}) or not; closes the connection
     * after it when the request or the response says so.
     */
    static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        boolean close = !keepAlive || response.headers().contains(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
        HttpUtil.setKeepAlive(response, !close);
        if (close) {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response);
        }
    }
}
