package dev.pageviews.edge.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the memory that request bodies take while they arrive, across all connections: without it, many
 * slow clients each sending a large body could hold {@code --max-connections} × {@code --max-body-size} of
 * direct memory and get the container OOM-killed. Each body reserves its bytes from one shared
 * {@code --max-body-memory}: its whole {@code Content-Length} when the headers arrive, a chunked body chunk by
 * chunk. A body that does not fit is answered 503 with Retry-After and its connection closed, which frees
 * everything it held.
 *
 * <p>Bodies over {@link #LARGE_BODY_BYTES} may together take only half of the budget, so slow large uploads can
 * never starve ordinary single events and small batches. Sits between the HTTP codec and the aggregator; one
 * instance per connection sharing one {@link Pool}.
 */
public final class BodyMemoryBudget extends ChannelInboundHandlerAdapter {

    /** Bodies above this size are "large": they may use only half of the budget. */
    public static final int LARGE_BODY_BYTES = 64 * 1024;

    /** The decoder-result cause that {@link FramingErrors} turns into 503. */
    static final class BodyMemoryFull extends DecoderException {
        BodyMemoryFull(long limit) {
            super("request bodies being received would take more than " + limit + " bytes");
        }
    }

    /** The budget shared by every connection of one edge; its size is {@code --max-body-memory}. */
    public static final class Pool {
        private final long limit;
        private final AtomicLong used = new AtomicLong();
        private final AtomicLong usedByLarge = new AtomicLong();

        public Pool(long limit) {
            this.limit = limit;
        }

        public long limit() {
            return limit;
        }

        /** Bytes reserved by bodies now arriving. */
        public long used() {
            return used.get();
        }

        boolean reserve(long bytes, boolean large) {
            if (large && !add(usedByLarge, bytes, limit / 2)) {
                return false;
            }
            if (!add(used, bytes, limit)) {
                if (large) {
                    usedByLarge.addAndGet(-bytes);
                }
                return false;
            }
            return true;
        }

        void release(long bytes, long largeBytes) {
            used.addAndGet(-bytes);
            usedByLarge.addAndGet(-largeBytes);
        }

        private static boolean add(AtomicLong counter, long bytes, long max) {
            long now;
            do {
                now = counter.get();
                if (now + bytes > max) {
                    return false;
                }
            } while (!counter.compareAndSet(now, now + bytes));
            return true;
        }
    }

    private final Pool pool;
    private final int maxBodyBytes;
    /** Bytes this connection's current body has reserved, and how many of them count as large. */
    private long reserved;
    private long reservedLarge;
    /** How the parts of the body now arriving are treated. */
    private Mode mode = Mode.COUNT;

    private enum Mode {
        /** Chunked: each part reserves its bytes. */
        COUNT,
        /** The whole declared length was reserved when the headers came. */
        RESERVED,
        /** Over --max-body-size: the aggregator drops it and answers 413; nothing to reserve. */
        PASS,
        /** Refused here: dropped until its last part. */
        DISCARD
    }

    public BodyMemoryBudget(Pool pool, int maxBodyBytes) {
        this.pool = pool;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest || !(msg instanceof HttpRequest || msg instanceof HttpContent)) {
            ctx.fireChannelRead(msg);
        } else if (msg instanceof HttpRequest request) {
            started(ctx, request);
        } else {
            content(ctx, (HttpContent) msg);
        }
    }

    private void started(ChannelHandlerContext ctx, HttpRequest request) {
        releaseAll();
        long length = declaredLength(request);
        if (!request.decoderResult().isSuccess() || length > maxBodyBytes) {
            mode = Mode.PASS; // answered 4xx further on, and the connection closed
        } else if (length >= 0) {
            mode = Mode.RESERVED;
            if (length > 0 && !take(length, length > LARGE_BODY_BYTES)) {
                mode = Mode.DISCARD;
                ctx.fireChannelRead(refused(request));
                return;
            }
        } else {
            mode = Mode.COUNT;
        }
        ctx.fireChannelRead(request);
    }

    private void content(ChannelHandlerContext ctx, HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (mode == Mode.DISCARD) {
            content.release();
        } else if (mode == Mode.COUNT && content.content().isReadable()
                && !take(content.content().readableBytes(), reserved + content.content().readableBytes() > LARGE_BODY_BYTES)) {
            content.release();
            releaseAll();
            mode = Mode.DISCARD;
            // the aggregator holds the request's start: a failed last part ends it, and it is answered 503
            LastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
            failed.setDecoderResult(DecoderResult.failure(new BodyMemoryFull(pool.limit())));
            ctx.fireChannelRead(failed);
        } else {
            ctx.fireChannelRead(content);
        }
        if (last) {
            // the aggregator has passed the whole request on, and the handlers have read its body
            releaseAll();
            mode = Mode.COUNT;
        }
    }

    /** The Content-Length, or -1 when none is set; a malformed one has already failed the request in the decoder. */
    private static long declaredLength(HttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            return -1;
        }
        try {
            return HttpUtil.getContentLength(request, -1L);
        } catch (NumberFormatException malformed) {
            return -1;
        }
    }

    /** Reserves {@code bytes} more for the current body; once large, all of it counts as large. */
    private boolean take(long bytes, boolean large) {
        boolean becameLarge = large && reservedLarge == 0;
        long largeBytes = !large ? 0 : becameLarge ? reserved + bytes : bytes;
        if (becameLarge && reserved > 0) { // move what it held as small into the large share
            if (!pool.reserve(largeBytes, true)) {
                return false;
            }
            pool.release(reserved, 0); // reserve() above counted those bytes again in the total
        } else if (!pool.reserve(bytes, large)) {
            return false;
        }
        reserved += bytes;
        reservedLarge += large ? largeBytes : 0;
        return true;
    }

    private FullHttpRequest refused(HttpRequest request) {
        FullHttpRequest failed = new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri(),
                Unpooled.EMPTY_BUFFER, request.headers().copy(), EmptyHttpHeaders.INSTANCE);
        failed.setDecoderResult(DecoderResult.failure(new BodyMemoryFull(pool.limit())));
        return failed;
    }

    private void releaseAll() {
        if (reserved > 0) {
            pool.release(reserved, reservedLarge);
        }
        reserved = 0;
        reservedLarge = 0;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseAll();
    }
}
