package dev.pageviews.edge.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.pageviews.event.PageViewCodec;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Builds the edge's responses. Every JSON body is written by Jackson, so strings are always escaped; and
 * no response carries text from the request (error messages come from {@code DecodeResult.Invalid}, which
 * never quotes the input).
 */
public final class Replies {

    public static final String JSON = "application/json; charset=utf-8";
    private static final AsciiString NOSNIFF_HEADER = AsciiString.cached("x-content-type-options");
    private static final AsciiString NOSNIFF = AsciiString.cached("nosniff");

    /** Writes the fields of one JSON object. */
    @FunctionalInterface
    public interface JsonWriter {
        void write(JsonGenerator json) throws IOException;
    }

    private Replies() {}

    public static FullHttpResponse json(HttpResponseStatus status, JsonWriter fields) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(128);
                JsonGenerator json = PageViewCodec.jsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
            json.flush();
            return body(status, JSON, out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON in memory cannot fail", e);
        }
    }

    /** {@code {"error":code,"field":field,"problem":problem}}; {@code field} is left out when null. */
    public static FullHttpResponse error(HttpResponseStatus status, String code, String field, String problem) {
        return json(status, json -> {
            json.writeStringField("error", code);
            if (field != null) {
                json.writeStringField("field", field);
            }
            json.writeStringField("problem", problem);
        });
    }

    public static FullHttpResponse body(HttpResponseStatus status, String contentType, byte[] content) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(content));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set(NOSNIFF_HEADER, NOSNIFF);
        return response;
    }

    public static FullHttpResponse text(HttpResponseStatus status, String contentType, String content) {
        return body(status, contentType, content.getBytes(StandardCharsets.UTF_8));
    }

    public static FullHttpResponse empty(HttpResponseStatus status) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return response;
    }
}
