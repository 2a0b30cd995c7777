package dev.pageviews.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.metrics.Metrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Raw HTTP bytes into and out of an {@link EmbeddedChannel} whose pipeline starts with the HTTP codec, for the handlers
 * whose logic lives in how requests are framed (length, size, timeouts). The bytes sent come from the allocator the
 * server's connections use, so {@link NoLeaks} notices one that is not released; the bytes read are released here.
 */
final class WireForTests {

    /** The decoder's limits in {@link #publicPort}: a request line of at most 256 bytes, headers of at most 512. */
    static final HttpDecoderConfig DECODER = new HttpDecoderConfig().setMaxInitialLineLength(256).setMaxHeaderSize(512);

    private WireForTests() {}

    /**
     * The public port's pipeline from the codec to the router, as {@code EdgeInitializer} builds it, with bodies of at
     * most {@code maxBody} bytes and, when {@code bodyMemory} is not null, the shared body budget; after the router,
     * {@link #accepting} and {@link Unanswered}.
     */
    static EmbeddedChannel publicPort(Metrics metrics, int maxBody, BodyMemoryBudget.Pool bodyMemory, List<String> passedOn) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(DECODER), new LengthRequiredCheck());
        if (bodyMemory != null) {
            channel.pipeline().addLast(new BodyMemoryBudget(bodyMemory, maxBody));
        }
        channel.pipeline().addLast(new BodyAggregator(maxBody), new ResponseSequencer(64, metrics),
                new FramingErrors(maxBody, 1), new Router("/pv.js"), accepting(passedOn), new Unanswered());
        return channel;
    }

    /** Writes {@code text} to the channel as bytes a client sent. */
    static void send(EmbeddedChannel channel, String text) {
        ByteBuf bytes = ByteBufAllocator.DEFAULT.directBuffer();
        bytes.writeCharSequence(text, StandardCharsets.US_ASCII);
        channel.writeInbound(bytes);
    }

    /** Everything written to the client so far, as text; the buffers are released. */
    static String received(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        ByteBuf written;
        while ((written = channel.readOutbound()) != null) {
            text.append(written.toString(StandardCharsets.UTF_8));
            written.release();
        }
        return text.toString();
    }

    /** A stand-in for the event handlers: records "METHOD uri body" of what reaches it and answers 202. */
    static ExchangeHandler accepting(List<String> passedOn) {
        return new ExchangeHandler() {
            @Override
            protected boolean answer(Exchange exchange) {
                passedOn.add(exchange.request().method() + " " + exchange.request().uri() + " "
                        + exchange.request().content().toString(StandardCharsets.UTF_8));
                exchange.reply(Replies.empty(HttpResponseStatus.ACCEPTED));
                return true;
            }
        };
    }

    /** Closes the channel; fails if anything written or passed on was left unread. */
    static void finish(EmbeddedChannel channel) {
        List<Object> left = new ArrayList<>(channel.outboundMessages());
        left.addAll(channel.inboundMessages());
        assertThat(channel.finishAndReleaseAll()).as("messages left unread: %s", left).isFalse();
    }
}
