package dev.pageviews.event;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads and writes {@link PageView}s as JSON. Decoding never throws for bad input: it returns
 * {@link DecodeResult.Invalid} naming the field and the problem.
 *
 * <p>Wire format: {@code {"user_id":"u1","page_url":"/home","timestamp":1730814562,
 * "event_id":"...","received_at":1730814562123,"event_id_from_client":true}}; the last three are optional.
 * {@code event_id_from_client} is written by the edge (only when true): the id is the client's own, and the
 * job counts the view once per id.
 */
public final class PageViewCodec {

    public static final String USER_ID = "user_id";
    public static final String PAGE_URL = "page_url";
    public static final String TIMESTAMP = "timestamp";
    public static final String EVENT_ID = "event_id";
    public static final String RECEIVED_AT = "received_at";
    public static final String EVENT_ID_FROM_CLIENT = "event_id_from_client";
    public static final String BODY = "body";

    // Duplicate fields of an event are found by decodeObject itself (a bit per known field), not by Jackson's
    // STRICT_DUPLICATE_DETECTION, which fills a hash set per object: that was 6 % of the job's CPU and showed in the
    // edge's too (BENCHMARKS.md, "Why the codec and the encoder are written as they are"). Inside the value of an unknown field, which is skipped, a repeated
    // name is therefore no longer an error.
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(PageViewRules.MAX_NESTING_DEPTH)
                    .maxNumberLength(64)
                    .maxStringLength(64 * 1024)
                    .build())
            .build();

    // written pre-encoded: the generator copies their bytes instead of encoding the names' chars each time
    private static final SerializableString USER_ID_NAME = new SerializedString(USER_ID);
    private static final SerializableString PAGE_URL_NAME = new SerializedString(PAGE_URL);
    private static final SerializableString TIMESTAMP_NAME = new SerializedString(TIMESTAMP);
    private static final SerializableString EVENT_ID_NAME = new SerializedString(EVENT_ID);
    private static final SerializableString RECEIVED_AT_NAME = new SerializedString(RECEIVED_AT);
    private static final SerializableString EVENT_ID_FROM_CLIENT_NAME = new SerializedString(EVENT_ID_FROM_CLIENT);

    private static final ThreadLocal<ThreadViewEncoder> ENCODERS = new ThreadLocal<>();

    private PageViewCodec() {}

    public static JsonFactory jsonFactory() {
        return JSON;
    }

    /** Decodes one event from a whole JSON document. */
    public static DecodeResult decode(byte[] json) {
        return decode(json, 0, json.length);
    }

    public static DecodeResult decode(byte[] json, int offset, int length) {
        try (JsonParser parser = JSON.createParser(json, offset, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return DecodeResult.invalid(BODY, "must be a JSON object");
            }
            DecodeResult result = decodeObject(parser);
            if (result instanceof DecodeResult.Valid && parser.nextToken() != null) {
                return DecodeResult.invalid(BODY, "has data after the JSON object");
            }
            return result;
        } catch (IOException e) {
            return malformed(e);
        }
    }

    /**
     * Decodes the object the parser stands on ({@link JsonToken#START_OBJECT}) and leaves the parser on its
     * {@link JsonToken#END_OBJECT}, so callers can decode arrays of events one by one. Throws only for
     * JSON that is not well-formed, which {@link #malformed} turns into a result.
     */
    public static DecodeResult decodeObject(JsonParser parser) throws IOException {
        String userId = null;
        String pageUrl = null;
        long timestamp = 0;
        boolean hasTimestamp = false;
        String eventId = null;
        long receivedAt = PageView.UNKNOWN_RECEIVE_TIME;
        boolean eventIdFromClient = false;
        DecodeResult.Invalid firstProblem = null;
        int knownSeen = 0; // a bit per known field
        Set<String> unknownSeen = null; // rare: made on the first unknown field

        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            int bit = knownFieldBit(field);
            boolean repeated;
            if (bit != 0) {
                repeated = (knownSeen & bit) != 0;
                knownSeen |= bit;
            } else {
                unknownSeen = unknownSeen == null ? new HashSet<>() : unknownSeen;
                repeated = !unknownSeen.add(field);
            }
            if (repeated) { // as Jackson's own check would: the whole document (or batch) is malformed
                throw new JsonParseException(parser, "Duplicate field '" + field + "'");
            }
            JsonToken value = parser.nextToken();
            DecodeResult.Invalid problem = null;
            switch (field) {
                case USER_ID -> {
                    if (value == JsonToken.VALUE_STRING) {
                        userId = parser.getText();
                    } else {
                        problem = DecodeResult.invalid(USER_ID, "must be a string (got " + describe(value) + ")");
                    }
                }
                case PAGE_URL -> {
                    if (value == JsonToken.VALUE_STRING) {
                        pageUrl = parser.getText();
                    } else {
                        problem = DecodeResult.invalid(PAGE_URL, "must be a string (got " + describe(value) + ")");
                    }
                }
                case TIMESTAMP -> {
                    if (value == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                        timestamp = parser.getLongValue();
                        hasTimestamp = true;
                    } else if (value == JsonToken.VALUE_NUMBER_INT) {
                        problem = DecodeResult.invalid(TIMESTAMP, "is far out of range: it must be Unix seconds between "
                                + PageViewRules.MIN_TIMESTAMP + " and " + PageViewRules.MAX_TIMESTAMP);
                    } else {
                        problem = DecodeResult.invalid(TIMESTAMP,
                                "must be an integer number of Unix seconds (got " + describe(value) + ")");
                    }
                }
                case EVENT_ID -> {
                    if (value == JsonToken.VALUE_STRING) {
                        eventId = parser.getText();
                    } else if (value != JsonToken.VALUE_NULL) {
                        problem = DecodeResult.invalid(EVENT_ID, "must be a string (got " + describe(value) + ")");
                    }
                }
                case RECEIVED_AT -> {
                    if (value == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                        receivedAt = parser.getLongValue();
                    } else if (value != JsonToken.VALUE_NULL) {
                        problem = DecodeResult.invalid(RECEIVED_AT, "must be an integer of epoch milliseconds");
                    }
                }
                case EVENT_ID_FROM_CLIENT -> {
                    if (value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_FALSE) {
                        eventIdFromClient = value == JsonToken.VALUE_TRUE;
                    } else if (value != JsonToken.VALUE_NULL) {
                        problem = DecodeResult.invalid(EVENT_ID_FROM_CLIENT, "must be true or false (got " + describe(value) + ")");
                    }
                }
                default -> parser.skipChildren(); // unknown fields are ignored by contract
            }
            if (problem != null) {
                parser.skipChildren(); // a wrong-typed object or array value: step over it
                if (firstProblem == null) {
                    firstProblem = problem;
                }
            }
        }
        if (token != JsonToken.END_OBJECT) {
            return DecodeResult.invalid(BODY, "is not a well-formed JSON object");
        }
        if (firstProblem != null) {
            return firstProblem;
        }
        if (userId == null) {
            return DecodeResult.invalid(USER_ID, "is required");
        }
        if (pageUrl == null) {
            return DecodeResult.invalid(PAGE_URL, "is required");
        }
        if (!hasTimestamp) {
            return DecodeResult.invalid(TIMESTAMP, "is required");
        }
        String problem = PageViewRules.checkText(userId, PageViewRules.MAX_USER_ID_LENGTH);
        if (problem != null) {
            return DecodeResult.invalid(USER_ID, problem);
        }
        problem = PageViewRules.checkText(pageUrl, PageViewRules.MAX_PAGE_URL_LENGTH);
        if (problem != null) {
            return DecodeResult.invalid(PAGE_URL, problem);
        }
        problem = PageViewRules.checkTimestamp(timestamp);
        if (problem != null) {
            return DecodeResult.invalid(TIMESTAMP, problem);
        }
        if (eventId != null) {
            problem = PageViewRules.checkEventId(eventId);
            if (problem != null) {
                return DecodeResult.invalid(EVENT_ID, problem);
            }
        } else if (eventIdFromClient) {
            return DecodeResult.invalid(EVENT_ID_FROM_CLIENT, "is true, but the view has no event_id");
        }
        return new DecodeResult.Valid(new PageView(userId, pageUrl, timestamp, eventId, receivedAt, eventIdFromClient));
    }

    private static int knownFieldBit(String field) {
        return switch (field) {
            case USER_ID -> 1;
            case PAGE_URL -> 1 << 1;
            case TIMESTAMP -> 1 << 2;
            case EVENT_ID -> 1 << 3;
            case RECEIVED_AT -> 1 << 4;
            case EVENT_ID_FROM_CLIENT -> 1 << 5;
            default -> 0;
        };
    }

    /** Turns a parser failure into a client-safe reason (Jackson's own message may quote the input). */
    public static DecodeResult.Invalid malformed(IOException e) {
        if (e instanceof JsonEOFException) {
            return DecodeResult.invalid(BODY, "ends before the JSON is complete");
        }
        if (e instanceof CharacterCodingException || String.valueOf(e.getMessage()).contains("UTF-8")) {
            return DecodeResult.invalid(BODY, "is not valid UTF-8");
        }
        String message = String.valueOf(e.getMessage());
        if (message.contains("nesting depth")) {
            return DecodeResult.invalid(BODY, "nests deeper than " + PageViewRules.MAX_NESTING_DEPTH + " levels");
        }
        if (message.contains("Duplicate field")) {
            return DecodeResult.invalid(BODY, "repeats a field; each field may appear once");
        }
        if (message.contains("Number value length") || message.contains("String value length")) {
            return DecodeResult.invalid(BODY, "has a number or string longer than allowed");
        }
        if (e instanceof JsonProcessingException) {
            return DecodeResult.invalid(BODY, "is not valid JSON");
        }
        return DecodeResult.invalid(BODY, "could not be read");
    }

    /** One view as one JSON document, through this thread's encoder. */
    public static byte[] encode(PageView view) {
        ThreadViewEncoder encoder = ENCODERS.get();
        try {
            if (encoder == null) {
                encoder = new ThreadViewEncoder(JSON);
                ENCODERS.set(encoder);
            }
            return encoder.encode(view);
        } catch (IOException e) {
            ENCODERS.remove(); // its generator may have stopped inside an object: the next view starts a new one
            throw new UncheckedIOException("encoding a PageView in memory cannot fail", e);
        } catch (RuntimeException | Error e) {
            ENCODERS.remove();
            throw e;
        }
    }

    /** Newline-delimited JSON for many views, one line each, through one generator (cheaper than a line at a time). */
    public static byte[] encodeLines(Iterable<PageView> views, int sizeHint) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(Math.max(128, sizeHint));
                JsonGenerator gen = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            gen.setRootValueSeparator(null); // lines are separated by the newline alone
            for (PageView view : views) {
                write(gen, view);
                gen.writeRaw('\n');
            }
            gen.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding PageViews in memory cannot fail", e);
        }
    }

    static void write(JsonGenerator gen, PageView view) throws IOException {
        gen.writeStartObject();
        gen.writeFieldName(USER_ID_NAME);
        gen.writeString(view.userId());
        gen.writeFieldName(PAGE_URL_NAME);
        gen.writeString(view.pageUrl());
        gen.writeFieldName(TIMESTAMP_NAME);
        gen.writeNumber(view.timestamp());
        if (view.eventId() != null) {
            gen.writeFieldName(EVENT_ID_NAME);
            gen.writeString(view.eventId());
        }
        if (view.receivedAtMillis() != PageView.UNKNOWN_RECEIVE_TIME) {
            gen.writeFieldName(RECEIVED_AT_NAME);
            gen.writeNumber(view.receivedAtMillis());
        }
        if (view.eventIdFromClient()) {
            gen.writeFieldName(EVENT_ID_FROM_CLIENT_NAME);
            gen.writeBoolean(true);
        }
        gen.writeEndObject();
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a number with a fraction";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            default -> "something else";
        };
    }
}
