package dev.pageviews.edge.tracker;

import dev.pageviews.edge.http.Exchange;
import dev.pageviews.edge.http.ExchangeHandler;
import dev.pageviews.edge.http.Replies;
import dev.pageviews.edge.http.Route;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Serves the tracker script on {@code --tracker-path}: {@code text/javascript}, gzipped when the browser accepts it,
 * cacheable for an hour and then revalidated by ETag ({@code 304} when unchanged), so a new edge version reaches
 * every page within the hour without each page view downloading the script again.
 */
public final class TrackerHandler extends ExchangeHandler {

    static final String CONTENT_TYPE = "text/javascript; charset=utf-8";
    static final String CACHE_CONTROL = "public, max-age=3600";

    private final TrackerScript script;

    public TrackerHandler(TrackerScript script) {
        this.script = script;
    }

    @Override
    protected boolean answer(Exchange exchange) {
        if (exchange.route() != Route.TRACKER) {
            return false;
        }
        HttpHeaders request = exchange.request().headers();
        FullHttpResponse response;
        if (matches(request.get(HttpHeaderNames.IF_NONE_MATCH))) {
            response = Replies.empty(HttpResponseStatus.NOT_MODIFIED);
        } else if (acceptsGzip(request.get(HttpHeaderNames.ACCEPT_ENCODING))) {
            response = Replies.body(HttpResponseStatus.OK, CONTENT_TYPE, script.gzippedBytes());
            response.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
        } else {
            response = Replies.body(HttpResponseStatus.OK, CONTENT_TYPE, script.plainBytes());
        }
        response.headers()
                .set(HttpHeaderNames.ETAG, script.etag())
                .set(HttpHeaderNames.CACHE_CONTROL, CACHE_CONTROL)
                .set(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING);
        exchange.reply(response);
        return true;
    }

    private boolean matches(String ifNoneMatch) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.strip();
            if (t.equals("*") || t.equals(script.etag()) || t.equals("W/" + script.etag())) {
                return true;
            }
        }
        return false;
    }

    private static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String coding : acceptEncoding.split(",")) {
            String[] parts = coding.strip().split(";");
            if (parts[0].strip().equalsIgnoreCase("gzip")
                    && !(parts.length > 1 && parts[1].replace(" ", "").matches("q=0(\\.0*)?"))) {
                return true;
            }
        }
        return false;
    }
}
