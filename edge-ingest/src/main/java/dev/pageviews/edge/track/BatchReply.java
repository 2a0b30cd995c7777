package dev.pageviews.edge.track;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import dev.pageviews.edge.http.Exchange;
import dev.pageviews.edge.http.Replies;
import dev.pageviews.edge.produce.EventProducer;
import dev.pageviews.event.DecodeResult;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Collects a batch's outcomes and answers once Kafka has answered for every valid event:
 * 202 when all valid events were acknowledged (invalid ones are listed), 503 when Kafka failed any
 * (those are listed as {@code unavailable}: send exactly those again), 400 when none was valid.
 */
final class BatchReply {

    private final Exchange exchange;
    private final List<DecodeResult> results;
    private final EventProducer.Failure[] failures;
    private final AtomicInteger outstanding;
    private final int retryAfterSeconds;

    BatchReply(Exchange exchange, List<DecodeResult> results, int retryAfterSeconds) {
        this.exchange = exchange;
        this.results = results;
        this.failures = new EventProducer.Failure[results.size()];
        this.retryAfterSeconds = retryAfterSeconds;
        int valid = 0;
        for (DecodeResult result : results) {
            if (result instanceof DecodeResult.Valid) {
                valid++;
            }
        }
        this.outstanding = new AtomicInteger(valid);
    }

    int validCount() {
        return outstanding.get();
    }

    /** Kafka's answer for the event at {@code index}; the last one answers the request. */
    void produced(int index, EventProducer.Failure failure) {
        failures[index] = failure; // published to the answering thread by the decrement below
        if (outstanding.decrementAndGet() == 0) {
            answer();
        }
    }

    /**
     * Answers 202 for a batch whose valid events are all filtered ({@code reason}) rather than produced: none is
     * accepted, none needs sending again; invalid ones are listed as usual.
     */
    void filtered(String reason) {
        int filtered = outstanding.getAndSet(0);
        exchange.reply(Replies.json(HttpResponseStatus.ACCEPTED, json -> {
            json.writeNumberField("accepted", 0);
            json.writeNumberField("filtered", filtered);
            json.writeStringField("reason", reason);
            writeRejected(json);
        }));
    }

    void answer() {
        int accepted = 0;
        boolean kafkaFailed = false;
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) instanceof DecodeResult.Valid) {
                if (failures[i] == null) {
                    accepted++;
                } else {
                    kafkaFailed = true;
                }
            }
        }
        HttpResponseStatus status = kafkaFailed ? HttpResponseStatus.SERVICE_UNAVAILABLE
                : accepted > 0 ? HttpResponseStatus.ACCEPTED
                : HttpResponseStatus.BAD_REQUEST;
        int acceptedCount = accepted;
        FullHttpResponse response = Replies.json(status, json -> {
            if (status == HttpResponseStatus.SERVICE_UNAVAILABLE) {
                json.writeStringField("error", "unavailable");
                json.writeStringField("problem", "Kafka did not acknowledge some events in time; send the ones listed "
                        + "as unavailable again after Retry-After seconds, with the same event_id so that each is counted once");
            } else if (status == HttpResponseStatus.BAD_REQUEST) {
                json.writeStringField("error", "no_valid_events");
                json.writeStringField("problem", "none of the events is valid; see rejected");
            }
            json.writeNumberField("accepted", acceptedCount);
            writeRejected(json);
        });
        if (kafkaFailed) {
            response.headers().setInt(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        }
        exchange.reply(response);
    }

    private void writeRejected(JsonGenerator json) throws IOException {
        json.writeArrayFieldStart("rejected");
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) instanceof DecodeResult.Invalid invalid) {
                json.writeStartObject();
                json.writeNumberField("index", i);
                json.writeStringField("error", "invalid_event");
                json.writeStringField("field", invalid.field());
                json.writeStringField("problem", invalid.problem());
                json.writeEndObject();
            } else if (failures[i] != null) {
                json.writeStartObject();
                json.writeNumberField("index", i);
                json.writeStringField("error", "unavailable");
                json.writeStringField("problem", "was not acknowledged by Kafka in time; send it again");
                json.writeEndObject();
            }
        }
        json.writeEndArray();
    }
}
