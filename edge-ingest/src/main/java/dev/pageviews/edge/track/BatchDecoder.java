package dev.pageviews.edge.track;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.pageviews.event.DecodeResult;
import dev.pageviews.event.PageViewCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a batch body into events and decodes each with the shared codec. A JSON array that is not
 * well-formed is refused whole (nothing after the error can be trusted); an element that is not an
 * object, or a bad event, is rejected alone. In NDJSON every non-blank line is one event, decoded alone.
 */
public final class BatchDecoder {

    /** What decoding a batch gave. */
    public sealed interface Result {}

    /** One result per event, in order: the index of an event is its position in this list. */
    public record Events(List<DecodeResult> results) implements Result {}

    /** The body is not a batch at all; nothing in it is accepted. */
    public record Malformed(DecodeResult.Invalid reason) implements Result {}

    /** More events than allowed; nothing in it is accepted. */
    public record TooMany(int max) implements Result {}

    private BatchDecoder() {}

    public static Result decode(byte[] body, BodyFormat format, int maxEvents) {
        return format == BodyFormat.NDJSON ? ndjson(body, maxEvents) : jsonArray(body, maxEvents);
    }

    private static Result jsonArray(byte[] body, int maxEvents) {
        try (JsonParser parser = PageViewCodec.jsonFactory().createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_ARRAY) {
                return new Malformed(DecodeResult.invalid(PageViewCodec.BODY, first == JsonToken.START_OBJECT
                        ? "must be a JSON array of events; send a single event to /api/v1/track"
                        : "must be a JSON array of events"));
            }
            List<DecodeResult> results = new ArrayList<>();
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (token == null) {
                    return new Malformed(DecodeResult.invalid(PageViewCodec.BODY, "ends before the JSON is complete"));
                }
                if (results.size() == maxEvents) {
                    return new TooMany(maxEvents);
                }
                if (token == JsonToken.START_OBJECT) {
                    results.add(PageViewCodec.decodeObject(parser));
                } else {
                    parser.skipChildren();
                    results.add(DecodeResult.invalid(PageViewCodec.BODY, "must be a JSON object"));
                }
            }
            if (parser.nextToken() != null) {
                return new Malformed(DecodeResult.invalid(PageViewCodec.BODY, "has data after the JSON array"));
            }
            return new Events(results);
        } catch (IOException e) {
            return new Malformed(PageViewCodec.malformed(e));
        }
    }

    private static Result ndjson(byte[] body, int maxEvents) {
        List<DecodeResult> results = new ArrayList<>();
        int start = 0;
        while (start <= body.length) {
            int end = start;
            while (end < body.length && body[end] != '\n') {
                end++;
            }
            int lineEnd = end > start && body[end - 1] == '\r' ? end - 1 : end;
            if (!isBlank(body, start, lineEnd)) {
                if (results.size() == maxEvents) {
                    return new TooMany(maxEvents);
                }
                results.add(PageViewCodec.decode(body, start, lineEnd - start));
            }
            start = end + 1;
        }
        return new Events(results);
    }

    private static boolean isBlank(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
