package dev.pageviews.edge;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network transport. {@code auto} takes Linux's io_uring when the kernel lets this process use it, else native
 * epoll, else Java NIO. io_uring sends and receives for many connections in one system call: inside
 * {@code ./pageviews up} at 512 connections it served about 5-10 % more requests than epoll with a lower p99
 * (BENCHMARKS.md, "Why io_uring when the kernel allows it"). Containers often forbid it (the default seccomp profiles of Docker and containerd
 * block its system calls); then {@code auto} says why and takes epoll.
 */
enum Transport {
    IO_URING,
    EPOLL,
    NIO;

    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);

    static Transport choose(String setting) {
        return switch (setting) {
            case "io_uring" -> {
                IoUring.ensureAvailability(); // fails naming why, e.g. blocked by seccomp or an old kernel
                yield IO_URING;
            }
            case "epoll" -> {
                Epoll.ensureAvailability(); // fails naming why, e.g. not Linux x86_64
                yield EPOLL;
            }
            case "nio" -> NIO;
            default -> best();
        };
    }

    private static Transport best() {
        if (IoUring.isAvailable()) {
            return IO_URING;
        }
        Transport next = Epoll.isAvailable() ? EPOLL : NIO;
        LOG.info("io_uring is not available here ({}); using {} (--transport)", IoUring.unavailabilityCause(),
                next.name().toLowerCase());
        return next;
    }

    IoHandlerFactory ioHandlerFactory() {
        return switch (this) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
    }

    Class<? extends ServerChannel> serverChannelClass() {
        return switch (this) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }
}
