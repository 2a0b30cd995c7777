package dev.pageviews.read.api;

import dev.pageviews.read.store.CommitRecord;
import dev.pageviews.read.store.StatsStore;
import dev.pageviews.read.store.StoreException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code GET /healthz}: 200 while the process serves (liveness; Redis is not asked, so an outage of Redis restarts
 * nothing). {@code GET /readyz}: 200 with the commit sequence when Redis answers, else 503 with the reason (readiness;
 * asked on the query executor, as every Redis call).
 */
@ChannelHandler.Sharable
final class OpsHandler extends ChannelInboundHandlerAdapter {

    static final String HEALTHZ = "/healthz";
    static final String READYZ = "/readyz";

    private final StatsStore store;
    private final Executor queries;

    OpsHandler(StatsStore store, Executor queries) {
        this.store = store;
        this.queries = queries;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request) || !request.method().equals(HttpMethod.GET)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        if (!path.equals(HEALTHZ) && !path.equals(READYZ)) {
            ctx.fireChannelRead(msg);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        request.release();
        if (path.equals(HEALTHZ)) {
            Replies.send(ctx, keepAlive, json(HttpResponseStatus.OK, "{\"status\":\"ok\"}"));
            return;
        }
        try {
            queries.execute(() -> {
                FullHttpResponse response;
                try {
                    CommitRecord commit = store.commit();
                    response = json(HttpResponseStatus.OK, "{\"status\":\"ready\",\"seq\":" + commit.seq() + "}");
                } catch (StoreException e) {
                    response = Replies.error(HttpResponseStatus.SERVICE_UNAVAILABLE, e.getMessage());
                }
                FullHttpResponse answer = response;
                ctx.channel().eventLoop().execute(() -> Replies.send(ctx, keepAlive, answer));
            });
        } catch (RejectedExecutionException e) {
            // every query thread is busy: the service is serving, only too busy to ask Redis now
            Replies.send(ctx, keepAlive, json(HttpResponseStatus.OK, "{\"status\":\"busy\"}"));
        }
    }

    private static FullHttpResponse json(HttpResponseStatus status, String body) {
        return Replies.response(status, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }
}
