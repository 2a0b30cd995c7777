package dev.pageviews.edge.http;

import dev.pageviews.edge.metrics.Metrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the connections open at once (past the cap a new connection is closed on accept) and registers
 * each one in the server's group, so shutdown can reach them all. First in the pipeline.
 */
public final class ConnectionTracker extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionTracker.class);

    private final int maxConnections;
    private final ChannelGroup open;
    private final Metrics metrics;
    private boolean counted;

    public ConnectionTracker(int maxConnections, ChannelGroup open, Metrics metrics) {
        this.maxConnections = maxConnections;
        this.open = open;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (metrics.connectionsOpen().incrementAndGet() > maxConnections) {
            metrics.connectionsOpen().decrementAndGet();
            metrics.connectionRefused();
            LOG.debug("Refusing {}: {} connections are open (--max-connections)", ctx.channel(), maxConnections);
            ctx.close();
            return;
        }
        counted = true;
        open.add(ctx.channel());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (counted) {
            counted = false;
            metrics.connectionsOpen().decrementAndGet();
        }
        ctx.fireChannelInactive();
    }
}
