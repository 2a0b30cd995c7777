package dev.pageviews.edge.http;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;

/**
 * One request and, once a handler has one, its response. The {@link ResponseSequencer} creates it and
 * writes the responses of a connection in request order. {@link #reply} may be called from any thread
 * (Kafka's callbacks run on the producer's thread); the reply is handed to the connection's event loop.
 */
public final class Exchange {

    private final FullHttpRequest request;
    private final ResponseSequencer sequencer;
    private final EventLoop eventLoop;
    private final SocketAddress remoteAddress;
    private final long receivedNanos = System.nanoTime();
    private final long receivedAtMillis = System.currentTimeMillis();
    private Route route = Route.UNMATCHED;
    private HttpHeaders extraHeaders;
    private FullHttpResponse response;
    private boolean closesConnection;
    private boolean finished;

    Exchange(FullHttpRequest request, ResponseSequencer sequencer, EventLoop eventLoop, SocketAddress remoteAddress) {
        this.request = request;
        this.sequencer = sequencer;
        this.eventLoop = eventLoop;
        this.remoteAddress = remoteAddress;
    }

    /** The connection's peer: the client, or the proxy in front of the edge. */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    public FullHttpRequest request() {
        return request;
    }

    /** The request's path, without query string; absolute-form URIs are reduced to their path. */
    public String path() {
        return pathOf(request.uri());
    }

    /**
     * The path of a request URI, as sent: without query string or fragment (Netty's {@link QueryStringDecoder#rawPath},
     * which decodes nothing, so {@code /api%2Fv1/track} matches no route); absolute-form URIs are reduced to their path.
     */
    static String pathOf(String uri) {
        int scheme = uri.indexOf("://");
        if (scheme > 0 && !uri.startsWith("/")) {
            int slash = uri.indexOf('/', scheme + 3);
            uri = slash < 0 ? "/" : uri.substring(slash);
        }
        return new QueryStringDecoder(uri).rawPath();
    }

    public Route route() {
        return route;
    }

    void route(Route matched) {
        this.route = matched;
    }

    public long receivedNanos() {
        return receivedNanos;
    }

    public long receivedAtMillis() {
        return receivedAtMillis;
    }

    /** Headers added to whatever response this exchange gets (e.g. CORS). */
    public HttpHeaders extraHeaders() {
        if (extraHeaders == null) {
            extraHeaders = new DefaultHttpHeaders();
        }
        return extraHeaders;
    }

    /** Answers the request; the connection is kept alive when the client allows it. */
    public void reply(FullHttpResponse reply) {
        complete(reply, false);
    }

    /** Answers the request and closes the connection after the response (e.g. after a framing error). */
    public void replyAndClose(FullHttpResponse reply) {
        complete(reply, true);
    }

    private void complete(FullHttpResponse reply, boolean close) {
        if (eventLoop.inEventLoop()) {
            completeOnEventLoop(reply, close);
        } else {
            eventLoop.execute(() -> completeOnEventLoop(reply, close));
        }
    }

    private void completeOnEventLoop(FullHttpResponse reply, boolean close) {
        if (response != null || finished) {
            ReferenceCountUtil.release(reply); // a second reply, or the connection is gone
            return;
        }
        if (extraHeaders != null) {
            reply.headers().add(extraHeaders);
        }
        response = reply;
        closesConnection |= close;
        sequencer.replied();
    }

    boolean hasResponse() {
        return response != null;
    }

    FullHttpResponse takeResponse() {
        FullHttpResponse taken = response;
        response = null;
        return taken;
    }

    /** Marks this exchange as the connection's last: its response closes it. */
    void closeAfterResponse() {
        closesConnection = true;
    }

    boolean closesConnection() {
        return closesConnection;
    }

    /** Releases the request; later replies are dropped. Returns false when it was already finished. */
    boolean finish() {
        if (finished) {
            return false;
        }
        finished = true;
        request.release();
        if (response != null) {
            ReferenceCountUtil.release(takeResponse());
        }
        return true;
    }
}
