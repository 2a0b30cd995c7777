package dev.pageviews.edge.http;

import dev.pageviews.edge.metrics.Metrics;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the admin port: {@code GET /metrics} (Prometheus text), {@code GET /readyz} with the reason when not ready
 * (it names Kafka's addresses, which the public port does not tell) and {@code GET /healthz}; 404 for any other path.
 * Every answer is ready at once, so responses go out in request order without the public port's sequencing; requests
 * on this port are not counted in the {@code edge_http_*} metrics, which describe clients. One instance per connection.
 */
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    static final Set<Route> ROUTES = EnumSet.of(Route.HEALTHZ, Route.READYZ, Route.METRICS);

    private final Readiness readiness;
    private final Metrics metrics;
    private final int retryAfterSeconds;
    /** A response closed the connection: requests pipelined after it are not answered. */
    private boolean closing;

    public AdminHandler(Readiness readiness, Metrics metrics, int retryAfterSeconds) {
        this.readiness = readiness;
        this.metrics = metrics;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (closing) {
            return;
        }
        FullHttpResponse response = answer(request);
        boolean keepAlive = request.decoderResult().isSuccess() && HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            closing = true;
            ctx.channel().config().setAutoRead(false);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private FullHttpResponse answer(FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            return Replies.error(HttpResponseStatus.BAD_REQUEST, "bad_request", null,
                    "the request is not valid HTTP/1.1");
        }
        Route route = Route.match(Exchange.pathOf(request.uri()));
        if (!ROUTES.contains(route)) {
            return Replies.error(HttpResponseStatus.NOT_FOUND, "not_found", null,
                    "no such endpoint; the admin port serves GET /metrics, /readyz and /healthz");
        }
        if (!route.allows(request.method())) {
            FullHttpResponse response = Replies.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", null,
                    "this endpoint accepts " + route.allowHeader());
            response.headers().set(HttpHeaderNames.ALLOW, route.allowHeader());
            return response;
        }
        return switch (route) {
            case HEALTHZ -> OpsHandler.healthz();
            case READYZ -> OpsHandler.readyz(readiness, retryAfterSeconds, true);
            default -> Replies.text(HttpResponseStatus.OK, Metrics.CONTENT_TYPE, metrics.exposition());
        };
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Closing admin connection {} after an error", ctx.channel(), cause);
        ctx.close();
    }
}
