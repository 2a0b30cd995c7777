package dev.pageviews.edge.admit;

import dev.pageviews.edge.http.Exchange;
import dev.pageviews.edge.http.Replies;
import dev.pageviews.edge.metrics.Metrics;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * What the event endpoints ask of a request once they know how many events it carries: whether its client is within
 * the rate limit ({@link ClientRateLimits}; a refusal is answered 429 with {@code Retry-After}) and whether it comes
 * from a bot ({@link BotFilter}; its views are answered but not produced). Either part may be off.
 */
public final class Admission {

    public static final String RATE_LIMITED = "rate_limited";
    public static final String BOT = "bot";

    private final ClientAddress clients;
    private final ClientRateLimits limits;
    private final BotFilter bots;
    private final Metrics metrics;

    /** {@code limits} or {@code bots} null: that part is off. */
    public Admission(ClientAddress clients, ClientRateLimits limits, BotFilter bots, Metrics metrics) {
        this.clients = clients;
        this.limits = limits;
        this.bots = bots;
        this.metrics = metrics;
        if (limits != null) {
            metrics.rateLimitTable(limits::clients, limits::evictions);
        }
    }

    /** Everything admitted, nothing filtered: for tests of other concerns. */
    public static Admission none(Metrics metrics) {
        return new Admission(new ClientAddress(0), null, null, metrics);
    }

    /**
     * Takes {@code events} from the client's allowance. When it has too few, answers 429 with {@code Retry-After} and
     * returns true: the request is then done, and none of its events is produced.
     */
    public boolean refusedOverLimit(Exchange exchange, int events) {
        if (limits == null) {
            return false;
        }
        String client = clients.of(exchange.remoteAddress(), exchange.request().headers().getAll("X-Forwarded-For"));
        ClientRateLimits.Decision decision = limits.take(client, events);
        if (decision.allowed()) {
            return false;
        }
        metrics.requestRefused(RATE_LIMITED);
        metrics.eventsRejected(RATE_LIMITED, events);
        FullHttpResponse response = Replies.error(HttpResponseStatus.TOO_MANY_REQUESTS, RATE_LIMITED, null,
                "this client sent more events than --rate-limit allows; none of these was stored: send them again "
                        + "after Retry-After seconds");
        response.headers().set(HttpHeaderNames.RETRY_AFTER, decision.retryAfterSeconds());
        exchange.reply(response);
        return true;
    }

    /** Whether the request's User-Agent is a known bot; its views are then counted as filtered, and not produced. */
    public boolean fromBot(Exchange exchange, int views) {
        if (bots == null || !bots.isBot(exchange.request().headers().get(HttpHeaderNames.USER_AGENT))) {
            return false;
        }
        metrics.eventsFiltered(BOT, views);
        return true;
    }
}
