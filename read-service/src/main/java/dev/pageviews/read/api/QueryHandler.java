package dev.pageviews.read.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pageviews.read.query.Answer;
import dev.pageviews.read.query.QueryException;
import dev.pageviews.read.query.QueryParser;
import dev.pageviews.read.query.QueryRunner;
import dev.pageviews.read.query.StatsQuery;
import dev.pageviews.read.store.StoreException;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v2/query}: the body is parsed on the event loop (a bad one is answered at once), the query runs on
 * the query executor (Redis calls block), and the answer is written back on the channel's event loop. JSON as
 * Plausible answers it, or CSV when the request accepts {@code text/csv}; an ETag from the query as run and the commit
 * it reflects, so {@code If-None-Match} gets 304 until the next commit (or until a relative range moves on).
 */
@io.netty.channel.ChannelHandler.Sharable
final class QueryHandler extends ChannelInboundHandlerAdapter {

    static final String PATH = "/api/v2/query";
    private static final Logger LOG = LoggerFactory.getLogger(QueryHandler.class);

    private final QueryParser parser;
    private final QueryRunner runner;
    private final Executor queries;
    private final ObjectMapper json;
    private final int maxConcurrentQueries;

    QueryHandler(QueryParser parser, QueryRunner runner, Executor queries, ObjectMapper json, int maxConcurrentQueries) {
        this.parser = parser;
        this.runner = runner;
        this.queries = queries;
        this.json = json;
        this.maxConcurrentQueries = maxConcurrentQueries;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request) || !new QueryStringDecoder(request.uri()).path().equals(PATH)) {
            ctx.fireChannelRead(msg);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        StatsQuery query;
        boolean csv;
        String ifNoneMatch;
        try {
            if (!request.method().equals(HttpMethod.POST)) {
                FullHttpResponse notAllowed = Replies.error(HttpResponseStatus.METHOD_NOT_ALLOWED, request.method() + " "
                        + PATH + " is not allowed; send the query as a JSON body with POST");
                notAllowed.headers().set(HttpHeaderNames.ALLOW, "POST");
                Replies.send(ctx, keepAlive, notAllowed);
                return;
            }
            JsonNode body;
            try (ByteBufInputStream in = new ByteBufInputStream(request.content())) {
                body = json.readTree((java.io.InputStream) in);
            } catch (JsonProcessingException e) {
                Replies.send(ctx, keepAlive, Replies.error(HttpResponseStatus.BAD_REQUEST, "#/: the body is not JSON ("
                        + e.getOriginalMessage() + ")"));
                return;
            } catch (IOException e) {
                Replies.send(ctx, keepAlive, Replies.error(HttpResponseStatus.BAD_REQUEST, "#/: the body cannot be read"));
                return;
            }
            try {
                query = parser.parse(body);
            } catch (QueryException e) {
                Replies.send(ctx, keepAlive, Replies.error(HttpResponseStatus.BAD_REQUEST, e.getMessage()));
                return;
            }
            String accept = request.headers().get(HttpHeaderNames.ACCEPT, "");
            csv = accept.contains("text/csv");
            ifNoneMatch = request.headers().get(HttpHeaderNames.IF_NONE_MATCH);
        } finally {
            request.release();
        }
        try {
            queries.execute(() -> {
                FullHttpResponse response = answer(query, csv, ifNoneMatch);
                ctx.channel().eventLoop().execute(() -> Replies.send(ctx, keepAlive, response));
            });
        } catch (RejectedExecutionException e) {
            FullHttpResponse busy = Replies.error(HttpResponseStatus.SERVICE_UNAVAILABLE, maxConcurrentQueries
                    + " queries are running, the most this service runs at once (--max-concurrent-queries); retry");
            busy.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            Replies.send(ctx, keepAlive, busy);
        }
    }

    /** On a query thread: the whole answer, never an exception. */
    FullHttpResponse answer(StatsQuery query, boolean csv, String ifNoneMatch) {
        String format = csv ? "csv" : "json";
        try {
            QueryRunner.Prepared prepared = runner.prepare(query);
            String etag = prepared.etag(format);
            if (ifNoneMatch != null && matches(ifNoneMatch, etag)) {
                FullHttpResponse unchanged = Replies.response(HttpResponseStatus.NOT_MODIFIED, null, new byte[0]);
                unchanged.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
                headers(unchanged, etag, prepared.commit().seq());
                return unchanged;
            }
            Answer answer = runner.answer(prepared);
            byte[] body = csv ? answer.toCsv().getBytes(StandardCharsets.UTF_8) : json.writeValueAsBytes(answer.toJson(json));
            FullHttpResponse ok = Replies.response(HttpResponseStatus.OK, csv ? "text/csv; charset=utf-8" : "application/json",
                    body);
            headers(ok, Answer.etag(answer.query(), answer.commit().seq(), format), answer.commit().seq());
            return ok;
        } catch (QueryException e) {
            return Replies.error(HttpResponseStatus.BAD_REQUEST, e.getMessage());
        } catch (StoreException e) {
            LOG.warn("A query could not be answered: {}", e.getMessage());
            FullHttpResponse unavailable = Replies.error(HttpResponseStatus.SERVICE_UNAVAILABLE, e.getMessage());
            unavailable.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            return unavailable;
        } catch (RuntimeException | JsonProcessingException e) {
            LOG.error("A query failed unexpectedly: {}", query, e);
            return Replies.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "the query failed unexpectedly; the service's "
                    + "log has the details");
        }
    }

    private static void headers(FullHttpResponse response, String etag, long seq) {
        response.headers().set(HttpHeaderNames.ETAG, etag)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache") // revalidate: a commit every few seconds changes answers
                .set(HttpHeaderNames.VARY, "Accept")
                .set("X-Pageviews-Seq", Long.toString(seq));
    }

    /** {@code If-None-Match}: a list of tags, or {@code *}; weak tags compare by their opaque part. */
    static boolean matches(String ifNoneMatch, String etag) {
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.equals("*") || t.equals(etag) || t.startsWith("W/") && t.substring(2).equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
