package dev.pageviews.edge.http;

import dev.pageviews.edge.metrics.Metrics;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The public port's pipeline around handlers under test: sequencer, framing errors and router before them, and after
 * them a stand-in for the event handler that answers 202 to whatever reaches it, then {@link Unanswered}.
 */
public final class EdgePipelineForTests {

    private EdgePipelineForTests() {}

    public static EmbeddedChannel channel(Metrics metrics, ChannelHandler... handlers) {
        EmbeddedChannel channel = new EmbeddedChannel(new ResponseSequencer(64, metrics), new FramingErrors(1024, 1),
                new Router("/pv.js"));
        channel.pipeline().addLast(handlers);
        channel.pipeline().addLast(new ExchangeHandler() {
            @Override
            protected boolean answer(Exchange exchange) {
                exchange.reply(Replies.empty(HttpResponseStatus.ACCEPTED));
                return true;
            }
        }, new Unanswered());
        return channel;
    }
}
