package dev.pageviews.edge.http;

import dev.pageviews.edge.metrics.Metrics;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code GET /healthz} (the process serves requests), {@code GET /readyz} (Kafka reachable and the
 * producer healthy; Kubernetes stops routing traffic on 503) and {@code GET /metrics} (Prometheus text).
 * Answers from state kept by background checks, so it never waits on Kafka.
 */
public final class OpsHandler extends ExchangeHandler {

    private final Readiness readiness;
    private final Metrics metrics;
    private final int retryAfterSeconds;

    public OpsHandler(Readiness readiness, Metrics metrics, int retryAfterSeconds) {
        this.readiness = readiness;
        this.metrics = metrics;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    protected boolean answer(Exchange exchange) {
        switch (exchange.route()) {
            case HEALTHZ -> exchange.reply(Replies.json(HttpResponseStatus.OK, json -> json.writeStringField("status", "ok")));
            case READYZ -> exchange.reply(ready());
            case METRICS -> exchange.reply(Replies.text(HttpResponseStatus.OK, Metrics.CONTENT_TYPE, metrics.exposition()));
            default -> {
                return false;
            }
        }
        return true;
    }

    private FullHttpResponse ready() {
        String reason = readiness.notReadyReason();
        if (reason == null) {
            return Replies.json(HttpResponseStatus.OK, json -> json.writeStringField("status", "ready"));
        }
        FullHttpResponse response = Replies.json(HttpResponseStatus.SERVICE_UNAVAILABLE, json -> {
            json.writeStringField("status", "not_ready");
            json.writeStringField("problem", reason);
        });
        response.headers().setInt(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        return response;
    }
}
