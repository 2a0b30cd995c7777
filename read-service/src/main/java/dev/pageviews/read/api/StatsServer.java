package dev.pageviews.read.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Only boots: the event loops (NIO: the read service's load is light, and it needs no native transport) and the
 * listening socket. The pipeline is {@link StatsInitializer}'s.
 */
public final class StatsServer implements AutoCloseable {

    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final Channel listener;

    private StatsServer(EventLoopGroup acceptor, EventLoopGroup workers, Channel listener) {
        this.acceptor = acceptor;
        this.workers = workers;
        this.listener = listener;
    }

    /**
     * @param streamBuffer the bytes a connection may have waiting to be written before it counts as unwritable: a
     *     stream whose client falls that far behind is dropped
     */
    public static StatsServer start(String host, int port, StatsInitializer initializer, int streamBuffer)
            throws InterruptedException {
        EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("stats-accept"),
                NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(Math.min(4, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("stats-io"), NioIoHandler.newFactory());
        try {
            Channel listener = new ServerBootstrap()
                    .group(acceptor, workers)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(streamBuffer / 2, streamBuffer))
                    .childHandler(initializer)
                    .bind(host, port).sync().channel();
            return new StatsServer(acceptor, workers, listener);
        } catch (Exception e) { // Netty's bind failure is an IOException it throws undeclared
            acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
