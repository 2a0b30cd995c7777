package dev.pageviews.edge.http;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * Answers requests the HTTP layer could not take: 414 (request line too long), 431 (headers too large),
 * 413 (body too large), 411 (POST without a length) and 400 (not HTTP). The connection is then closed:
 * the rest of its bytes cannot be trusted to start a new request (after a POST without a length, a
 * client may well be sending a body we would read as the next request).
 */
public final class FramingErrors extends ExchangeHandler {

    private final int maxBodyBytes;
    private final int retryAfterSeconds;

    public FramingErrors(int maxBodyBytes, int retryAfterSeconds) {
        this.maxBodyBytes = maxBodyBytes;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    protected boolean answer(Exchange exchange) {
        if (exchange.request().decoderResult().isSuccess()) {
            return false;
        }
        Throwable cause = exchange.request().decoderResult().cause();
        if (cause instanceof LengthRequiredCheck.LengthRequired) {
            exchange.replyAndClose(Replies.error(HttpResponseStatus.LENGTH_REQUIRED, "length_required", null,
                    "a POST needs a Content-Length header or chunked Transfer-Encoding"));
        } else if (cause instanceof TooLongHttpContentException) {
            exchange.replyAndClose(Replies.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large", "body",
                    "is larger than " + maxBodyBytes + " bytes; send fewer events per request"));
        } else if (cause instanceof BodyMemoryBudget.BodyMemoryFull) {
            FullHttpResponse busy = Replies.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "busy", null,
                    "the edge is receiving too many request bodies at once; send it again after Retry-After seconds");
            busy.headers().setInt(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
            exchange.replyAndClose(busy);
        } else if (cause instanceof TooLongHttpLineException) {
            exchange.replyAndClose(Replies.error(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request_line_too_long", null,
                    "the request line (method, URL, version) is longer than allowed"));
        } else if (cause instanceof TooLongHttpHeaderException) {
            exchange.replyAndClose(Replies.error(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large",
                    null, "the request headers are larger than allowed"));
        } else {
            exchange.replyAndClose(Replies.error(HttpResponseStatus.BAD_REQUEST, "bad_request", null,
                    "the request is not valid HTTP/1.1"));
        }
        return true;
    }
}
