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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * With {@code --api-token}: every {@code /api/} request needs {@code Authorization: Bearer <token>}, else 401 in
 * Plausible's shape. The stream also takes {@code ?access_token=<token>} (RFC 6750's query form), as a browser's
 * {@code EventSource} cannot send headers. The static files stay open: they hold no data.
 */
@io.netty.channel.ChannelHandler.Sharable
final class BearerAuth extends ChannelInboundHandlerAdapter {

    private final byte[] token;

    BearerAuth(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        if (!uri.path().startsWith("/api/")) {
            ctx.fireChannelRead(msg);
            return;
        }
        String given = bearer(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (given == null && uri.path().equals(StreamHandler.PATH)) {
            List<String> query = uri.parameters().get("access_token");
            given = query == null || query.isEmpty() ? null : query.get(0);
        }
        if (given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
            ctx.fireChannelRead(msg);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        request.release();
        FullHttpResponse denied = Replies.error(HttpResponseStatus.UNAUTHORIZED, given == null
                ? "Missing API key. Please use a valid API key (the service's --api-token) as a Bearer Token: "
                        + "Authorization: Bearer <token>."
                : "Invalid API key. Please make sure you're using the service's --api-token.");
        denied.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"pageviews\"");
        Replies.send(ctx, keepAlive, denied);
    }

    private static String bearer(String header) {
        if (header == null) {
            return null;
        }
        String trimmed = header.trim();
        return trimmed.regionMatches(true, 0, "Bearer ", 0, 7) ? trimmed.substring(7).trim() : null;
    }
}
