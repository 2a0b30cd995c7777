package dev.pageviews.edge;

import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.edge.http.AdminHandler;
import dev.pageviews.edge.http.Readiness;
import dev.pageviews.edge.metrics.Metrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Builds each admin connection's pipeline: idle timeout, HTTP codec, an aggregator for small bodies (the admin
 * port takes GETs), then {@link AdminHandler}. Each connection joins {@code connections}, so shutdown closes it.
 */
public final class AdminInitializer extends ChannelInitializer<Channel> {

    /** Admin requests are GETs; a larger body is refused (400) and the connection closed. */
    static final int MAX_BODY_BYTES = 8 * 1024;

    private final EdgeConfig config;
    private final Readiness readiness;
    private final Metrics metrics;
    private final ChannelGroup connections;

    public AdminInitializer(EdgeConfig config, Readiness readiness, Metrics metrics, ChannelGroup connections) {
        this.config = config;
        this.readiness = readiness;
        this.metrics = metrics;
        this.connections = connections;
    }

    @Override
    protected void initChannel(Channel channel) {
        connections.add(channel);
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("idle", new IdleStateHandler(config.get(EdgeConfig.IDLE_TIMEOUT).toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        pipeline.addLast("http", new HttpServerCodec());
        pipeline.addLast("aggregator", new HttpObjectAggregator(MAX_BODY_BYTES));
        pipeline.addLast("admin", new AdminHandler(readiness, metrics, (int) config.get(EdgeConfig.RETRY_AFTER).toSeconds()));
    }
}
