package dev.pageviews.edge.http;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection after its last response without losing that response. Closing at once while the
 * client still sends (an oversized body, a slow request) makes the kernel reset the connection, and the
 * client may never read the response. So the write side is shut first (the client sees the end of the
 * response), and the socket is closed when the client closes its side or after a short linger.
 */
final class LingeringClose {

    static final long LINGER_MILLIS = 2_000;

    private LingeringClose() {}

    static void after(ChannelFuture lastWrite, ChannelHandlerContext ctx) {
        lastWrite.addListener((ChannelFutureListener) written -> {
            if (written.isSuccess() && ctx.channel() instanceof DuplexChannel duplex && duplex.isActive()) {
                duplex.shutdownOutput();
                ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                ctx.close();
            }
        });
    }
}
