package dev.pageviews.edge.http;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * CORS for the event endpoints. Answers {@code OPTIONS} (preflights with 204 and the allowed method and
 * header; other OPTIONS with {@code Allow}); adds {@code Access-Control-Allow-Origin} to the response of an
 * allowed origin's request; refuses a request from an origin not allowed with 403, so other sites cannot
 * write events. {@code navigator.sendBeacon} needs no preflight (it sends {@code text/plain}).
 *
 * <p>Not Netty's {@code io.netty.handler.codec.http.cors.CorsHandler}: that handler remembers the connection's latest
 * request in a field and adds the allowed origin when a response is written, and writes its preflight and 403
 * answers straight to the channel. The edge answers pipelined requests in order through the {@link ResponseSequencer},
 * often after later requests have arrived (Kafka acknowledges asynchronously), so Netty's handler would label a
 * response with a later request's origin and could send a preflight's answer ahead of earlier replies. Here the
 * decision is made per {@link Exchange}, and its headers travel with that exchange's reply.
 */
public final class CorsHandler extends ExchangeHandler {

    static final String MAX_AGE_SECONDS = "86400";
    private final CorsPolicy policy;

    public CorsHandler(CorsPolicy policy) {
        this.policy = policy;
    }

    @Override
    protected boolean answer(Exchange exchange) {
        if (!exchange.route().isTrack()) {
            return false;
        }
        HttpHeaders request = exchange.request().headers();
        String origin = request.get(HttpHeaderNames.ORIGIN);
        if (origin != null && !policy.allows(origin)) {
            exchange.reply(Replies.error(HttpResponseStatus.FORBIDDEN, "origin_not_allowed", "Origin",
                    "this origin may not send events; ask for it to be added to --cors-origins"));
            return true;
        }
        if (origin != null) {
            addAllowOrigin(exchange.extraHeaders(), origin);
        }
        if (!exchange.request().method().equals(HttpMethod.OPTIONS)) {
            return false; // the event handler answers, with the headers added above
        }
        FullHttpResponse response = Replies.empty(HttpResponseStatus.NO_CONTENT);
        response.headers().set(HttpHeaderNames.ALLOW, exchange.route().allowHeader());
        if (origin != null && request.contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD)) {
            response.headers()
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, exchange.route().allowHeader())
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, HttpHeaderNames.CONTENT_TYPE)
                    .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECONDS);
        }
        exchange.reply(response);
        return true;
    }

    private void addAllowOrigin(HttpHeaders headers, String origin) {
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, policy.allowOriginValue(origin));
        if (policy.variesByOrigin()) {
            headers.set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        }
    }
}
