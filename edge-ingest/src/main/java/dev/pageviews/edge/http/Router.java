package dev.pageviews.edge.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.FullHttpResponse;

/** Finds the exchange's {@link Route}; answers 404 for unknown paths and 405 (with {@code Allow}) for wrong methods. */
public final class Router extends ExchangeHandler {

    @Override
    protected boolean answer(Exchange exchange) {
        Route route = Route.match(exchange.path());
        exchange.route(route);
        if (route == Route.UNMATCHED) {
            exchange.reply(Replies.error(HttpResponseStatus.NOT_FOUND, "not_found", null,
                    "no such endpoint; events go to POST /api/v1/track or POST /api/v1/track/batch"));
            return true;
        }
        if (route.allows(exchange.request().method())) {
            return false;
        }
        FullHttpResponse response = Replies.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", null,
                "this endpoint accepts " + route.allowHeader());
        response.headers().set(HttpHeaderNames.ALLOW, route.allowHeader());
        exchange.reply(response);
        return true;
    }
}
