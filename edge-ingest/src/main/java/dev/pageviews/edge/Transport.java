package dev.pageviews.edge;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/** The network transport: Linux's native epoll when it loads, else Java NIO. */
enum Transport {
    EPOLL,
    NIO;

    static Transport choose(String setting) {
        return switch (setting) {
            case "epoll" -> {
                Epoll.ensureAvailability(); // fails naming why, e.g. not Linux x86_64
                yield EPOLL;
            }
            case "nio" -> NIO;
            default -> Epoll.isAvailable() ? EPOLL : NIO;
        };
    }

    IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    Class<? extends ServerChannel> serverChannelClass() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
