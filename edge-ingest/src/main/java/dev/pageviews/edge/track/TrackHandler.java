package dev.pageviews.edge.track;

import dev.pageviews.edge.admit.Admission;
import dev.pageviews.edge.http.Exchange;
import dev.pageviews.edge.http.ExchangeHandler;
import dev.pageviews.edge.http.Replies;
import dev.pageviews.edge.http.Route;
import dev.pageviews.edge.metrics.Metrics;
import dev.pageviews.edge.produce.EventIds;
import dev.pageviews.edge.produce.EventProducer;
import dev.pageviews.event.DecodeResult;
import dev.pageviews.event.PageView;
import dev.pageviews.event.PageViewCodec;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /api/v1/track} and {@code POST /api/v1/track/batch}: decodes with the shared codec, stamps
 * each valid event with the receive time and an id (the client's own {@code event_id} when it sent one, which
 * the job then counts once, else a new one), rejects a view whose timestamp is too far after the
 * receive time ({@link FutureSkewCheck}), produces the others, and answers once Kafka has: 202 after
 * the acknowledgement, 503 when Kafka did not take it. Never blocks: the producer's callback answers.
 *
 * <p>Once decoded, a request's events count against its client's rate limit (429 for all of them when over it), and
 * the valid views of a known bot are answered 202 with {@code "accepted":0} and {@code "filtered"}, never produced
 * ({@link Admission}).
 */
public final class TrackHandler extends ExchangeHandler {

    private final EventProducer producer;
    private final Metrics metrics;
    private final int maxBatchEvents;
    private final int retryAfterSeconds;
    private final FutureSkewCheck futureSkew;
    private final Admission admission;

    public TrackHandler(EventProducer producer, Metrics metrics, int maxBatchEvents, int retryAfterSeconds,
            FutureSkewCheck futureSkew, Admission admission) {
        this.producer = producer;
        this.metrics = metrics;
        this.maxBatchEvents = maxBatchEvents;
        this.retryAfterSeconds = retryAfterSeconds;
        this.futureSkew = futureSkew;
        this.admission = admission;
    }

    @Override
    protected boolean answer(Exchange exchange) {
        if (!exchange.route().isTrack()) {
            return false;
        }
        boolean batch = exchange.route() == Route.TRACK_BATCH;
        BodyFormat format = BodyFormat.of(exchange.request().headers().get(HttpHeaderNames.CONTENT_TYPE));
        if (format == null || (format == BodyFormat.NDJSON && !batch)) {
            exchange.reply(Replies.error(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "Content-Type", BodyFormat.ACCEPTED));
            return true;
        }
        byte[] body = ByteBufUtil.getBytes(exchange.request().content());
        if (batch) {
            batch(exchange, BatchDecoder.decode(body, format, maxBatchEvents));
        } else if (!admission.refusedOverLimit(exchange, 1)) {
            single(exchange, futureSkew.check(PageViewCodec.decode(body), exchange.receivedAtMillis()));
        }
        return true;
    }

    private void single(Exchange exchange, DecodeResult result) {
        if (result instanceof DecodeResult.Invalid invalid) {
            metrics.eventsRejected(rejectReason(invalid), 1);
            exchange.reply(Replies.error(HttpResponseStatus.BAD_REQUEST, "invalid_event", invalid.field(), invalid.problem()));
            return;
        }
        if (admission.fromBot(exchange, 1)) {
            exchange.reply(filtered(1, Admission.BOT));
            return;
        }
        PageView view = stamp(((DecodeResult.Valid) result).view(), exchange);
        producer.send(view, failure -> exchange.reply(failure == null ? accepted(view.eventId()) : unavailable()));
    }

    private void batch(Exchange exchange, BatchDecoder.Result decoded) {
        if (decoded instanceof BatchDecoder.TooMany tooMany) {
            exchange.reply(Replies.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "too_many_events", PageViewCodec.BODY,
                    "has more than " + tooMany.max() + " events; split it into smaller batches"));
            return;
        }
        if (decoded instanceof BatchDecoder.Malformed malformed) {
            exchange.reply(Replies.error(HttpResponseStatus.BAD_REQUEST, "invalid_batch",
                    malformed.reason().field(), malformed.reason().problem()));
            return;
        }
        List<DecodeResult> results = new ArrayList<>(((BatchDecoder.Events) decoded).results());
        if (admission.refusedOverLimit(exchange, Math.max(1, results.size()))) {
            return;
        }
        results.replaceAll(result -> futureSkew.check(result, exchange.receivedAtMillis())); // rejected alone, by index
        if (results.isEmpty()) {
            exchange.reply(Replies.error(HttpResponseStatus.BAD_REQUEST, "invalid_batch", PageViewCodec.BODY,
                    "must contain at least one event"));
            return;
        }
        BatchReply reply = new BatchReply(exchange, results, retryAfterSeconds);
        for (DecodeResult result : results) {
            if (result instanceof DecodeResult.Invalid invalid) {
                metrics.eventsRejected(rejectReason(invalid), 1);
            }
        }
        if (reply.validCount() == 0) {
            reply.answer();
            return;
        }
        if (admission.fromBot(exchange, reply.validCount())) {
            reply.filtered(Admission.BOT);
            return;
        }
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) instanceof DecodeResult.Valid valid) {
                int index = i;
                producer.send(stamp(valid.view(), exchange), failure -> reply.produced(index, failure));
            }
        }
    }

    private static PageView stamp(PageView view, Exchange exchange) {
        long receivedAt = exchange.receivedAtMillis();
        return view.stamped(view.eventId() == null ? EventIds.next(receivedAt) : null, receivedAt);
    }

    /** A bounded label: the codec's field names are a fixed set. */
    private static String rejectReason(DecodeResult.Invalid invalid) {
        return "invalid_" + invalid.field();
    }

    private static FullHttpResponse accepted(String eventId) {
        // a UUID of ours or a client's id, which the codec allows only from [A-Za-z0-9._:-]: nothing to escape
        byte[] body = ("{\"accepted\":1,\"event_id\":\"" + eventId + "\"}").getBytes(StandardCharsets.US_ASCII);
        return Replies.body(HttpResponseStatus.ACCEPTED, Replies.JSON, body);
    }

    /** 202 for views taken but not counted: the client need not send them again. */
    static FullHttpResponse filtered(int views, String reason) {
        byte[] body = ("{\"accepted\":0,\"filtered\":" + views + ",\"reason\":\"" + reason + "\"}").getBytes(StandardCharsets.US_ASCII);
        return Replies.body(HttpResponseStatus.ACCEPTED, Replies.JSON, body);
    }

    private FullHttpResponse unavailable() {
        FullHttpResponse response = Replies.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable", null,
                "Kafka did not acknowledge the event in time; it may or may not be stored: send it again after Retry-After seconds, "
                        + "with the same event_id so that it is counted once");
        response.headers().setInt(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        return response;
    }
}
