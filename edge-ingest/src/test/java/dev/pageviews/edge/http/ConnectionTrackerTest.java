package dev.pageviews.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.metrics.Metrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The connection cap, with one {@link EmbeddedChannel} per connection sharing a tracker's group and metrics, as the
 * server's connections do: past {@code --max-connections} a connection is closed on accept before any handler after
 * the tracker sees it, and is neither counted nor in the group that shutdown closes; a closed connection frees its
 * place exactly once. Leak-checked, though no buffer is involved.
 */
@ExtendWith(NoLeaks.class)
class ConnectionTrackerTest {

    private static final int MAX_CONNECTIONS = 2;

    private final Metrics metrics = new Metrics();
    private final ChannelGroup open = new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE);
    /** The connections that reached the handlers after the tracker. */
    private final List<EmbeddedChannel> seen = new ArrayList<>();
    private final List<EmbeddedChannel> connections = new ArrayList<>();

    @AfterEach
    void closeAll() {
        connections.forEach(EmbeddedChannel::finishAndReleaseAll);
        assertThat(metrics.connectionsOpen()).as("counted as open once all are closed").hasValue(0);
        assertThat(inGroup()).isEmpty();
        metrics.close();
    }

    @Test
    void aConnectionPastTheCapIsClosedOnAcceptUncountedAndOutOfTheGroup() {
        EmbeddedChannel first = accept();
        EmbeddedChannel second = accept();
        EmbeddedChannel third = accept();

        assertThat(first.isOpen()).isTrue();
        assertThat(second.isOpen()).isTrue();
        assertThat(third.isOpen()).isFalse();
        assertThat(seen).containsExactly(first, second);
        assertThat(inGroup()).containsExactlyInAnyOrder(first, second);
        assertThat(metrics.connectionsOpen()).hasValue(2);
        assertThat(metrics.exposition()).contains("edge_connections_refused_total 1.0\n");
    }

    @Test
    void aClosedConnectionFreesItsPlaceOnceAndARefusedOneFreesNone() {
        EmbeddedChannel first = accept();
        accept();
        accept().close(); // refused, then closed again: it held no place
        first.close();

        EmbeddedChannel afterFirst = accept();
        EmbeddedChannel pastTheCap = accept();

        assertThat(afterFirst.isOpen()).as("takes the place the first freed").isTrue();
        assertThat(pastTheCap.isOpen()).isFalse();
        assertThat(metrics.connectionsOpen()).hasValue(2);
        assertThat(inGroup()).hasSize(2).doesNotContain(first);
    }

    /** The group's channels (a {@link ChannelGroup} is also {@link Comparable}, which confuses AssertJ). */
    private List<Channel> inGroup() {
        return List.copyOf(open);
    }

    private EmbeddedChannel accept() {
        // each its own id: a group holds channels by id, and every EmbeddedChannel has the same by default
        EmbeddedChannel channel = new EmbeddedChannel(DefaultChannelId.newInstance(), new ConnectionTracker(MAX_CONNECTIONS, open, metrics),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        seen.add((EmbeddedChannel) ctx.channel());
                        ctx.fireChannelActive();
                    }
                });
        connections.add(channel);
        return channel;
    }
}
