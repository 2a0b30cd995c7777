package dev.pageviews.edge.http;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.EnumSet;
import java.util.Set;

/**
 * Finds the exchange's {@link Route} among those the public port serves (all but {@code /metrics}, which is on the
 * admin port); answers 404 for other paths and 405 (with {@code Allow}) for wrong methods.
 */
public final class Router extends ExchangeHandler {

    /** What the public port serves: the event endpoints, {@code /healthz} and the status-only {@code /readyz}. */
    public static final Set<Route> PUBLIC = EnumSet.of(Route.TRACK, Route.TRACK_BATCH, Route.HEALTHZ, Route.READYZ);

    /** The tracker script's path ({@code --tracker-path}), or null when the edge serves no script. */
    private final String trackerPath;

    public Router(String trackerPath) {
        this.trackerPath = trackerPath;
    }

    @Override
    protected boolean answer(Exchange exchange) {
        Route route = exchange.path().equals(trackerPath) ? Route.TRACKER : Route.match(exchange.path());
        if (!PUBLIC.contains(route) && route != Route.TRACKER) {
            route = Route.UNMATCHED;
        }
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
