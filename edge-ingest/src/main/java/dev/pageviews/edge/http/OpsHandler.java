package dev.pageviews.edge.http;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The public port's {@code GET /healthz} (the process serves requests) and {@code GET /readyz} (Kafka reachable and the
 * producer healthy; a load balancer stops routing traffic on 503), status only: why the edge is not ready names Kafka's
 * addresses, so only the admin port ({@link AdminHandler}) tells it. Answers from state kept by background checks, so
 * it never waits on Kafka.
 */
public final class OpsHandler extends ExchangeHandler {

    private final Readiness readiness;
    private final int retryAfterSeconds;

    public OpsHandler(Readiness readiness, int retryAfterSeconds) {
        this.readiness = readiness;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    protected boolean answer(Exchange exchange) {
        switch (exchange.route()) {
            case HEALTHZ -> exchange.reply(healthz());
            case READYZ -> exchange.reply(readyz(readiness, retryAfterSeconds, false));
            default -> {
                return false;
            }
        }
        return true;
    }

    static FullHttpResponse healthz() {
        return Replies.json(HttpResponseStatus.OK, json -> json.writeStringField("status", "ok"));
    }

    /**
     * {@code 200 {"status":"ready"}}, or {@code 503 {"status":"not_ready"}} with {@code Retry-After}, and with
     * {@code "problem"} (the reason, for operators) when {@code withProblem}.
     */
    static FullHttpResponse readyz(Readiness readiness, int retryAfterSeconds, boolean withProblem) {
        String reason = readiness.notReadyReason();
        if (reason == null) {
            return Replies.json(HttpResponseStatus.OK, json -> json.writeStringField("status", "ready"));
        }
        FullHttpResponse response = Replies.json(HttpResponseStatus.SERVICE_UNAVAILABLE, json -> {
            json.writeStringField("status", "not_ready");
            if (withProblem) {
                json.writeStringField("problem", reason);
            }
        });
        response.headers().setInt(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        return response;
    }
}
