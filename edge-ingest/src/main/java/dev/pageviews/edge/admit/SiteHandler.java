package dev.pageviews.edge.admit;

import dev.pageviews.edge.http.Exchange;
import dev.pageviews.edge.http.ExchangeHandler;
import dev.pageviews.edge.http.Replies;
import dev.pageviews.edge.metrics.Metrics;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;

/**
 * Refuses, with 403 naming the header at fault, event requests from sites that may not send views
 * ({@link SitePolicy}), before their bodies are decoded. Preflights pass: they carry no views.
 */
public final class SiteHandler extends ExchangeHandler {

    private final SitePolicy policy;
    private final Metrics metrics;

    public SiteHandler(SitePolicy policy, Metrics metrics) {
        this.policy = policy;
        this.metrics = metrics;
    }

    @Override
    protected boolean answer(Exchange exchange) {
        if (!exchange.route().isTrack() || exchange.request().method().equals(HttpMethod.OPTIONS)) {
            return false;
        }
        HttpHeaders headers = exchange.request().headers();
        String header = headers.get(SitePolicy.SITE_KEY_HEADER);
        SitePolicy.Refusal refusal = header != null
                ? policy.check(null, null, header, SitePolicy.SITE_KEY_HEADER)
                : policy.check(headers.get(HttpHeaderNames.ORIGIN), headers.get(HttpHeaderNames.REFERER),
                        siteKeyParameter(exchange.request().uri()), SitePolicy.SITE_KEY_PARAMETER);
        if (refusal == null) {
            return false;
        }
        metrics.requestRefused(refusal.reason());
        exchange.reply(Replies.error(HttpResponseStatus.FORBIDDEN, refusal.reason(), refusal.field(), refusal.problem()));
        return true;
    }

    /** The query's site key: the tracker sends it there, as a simple fetch or sendBeacon cannot set headers. */
    private static String siteKeyParameter(String uri) {
        if (uri.indexOf('?') < 0) {
            return null;
        }
        List<String> values = new QueryStringDecoder(uri).parameters().get(SitePolicy.SITE_KEY_PARAMETER);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
