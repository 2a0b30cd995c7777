package dev.pageviews.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How a connection is closed after its last response ({@link LingeringClose} is not a handler, but every closing
 * handler relies on it): on a socket that can be half-closed, the response is written, then only the output is shut,
 * so the client reads the response to its end, and the connection closes after the linger; when the response could
 * not be written, or the channel cannot be half-closed, it closes at once. On the embedded loop's frozen clock.
 */
@ExtendWith(NoLeaks.class)
class LingeringCloseTest {

    private final Captured captured = new Captured();
    private EmbeddedChannel channel;

    @AfterEach
    void everythingReleased() {
        assertThat(channel.finishAndReleaseAll()).as("bytes left unread").isFalse();
    }

    @Test
    void onAHalfClosableSocketTheOutputIsShutAfterTheResponseAndTheConnectionClosesAfterTheLinger() {
        HalfClosable halfClosable = new HalfClosable(captured);
        channel = halfClosable;
        channel.freezeTime();

        LingeringClose.after(captured.ctx.writeAndFlush(response()), captured.ctx);
        String written = read();
        boolean outputShutAfterTheWrite = halfClosable.isOutputShutdown();
        channel.advanceTimeBy(LingeringClose.LINGER_MILLIS - 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        boolean openJustBeforeTheLingerEnds = channel.isOpen();
        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        assertThat(written).isEqualTo("HTTP/1.1 408 Request Timeout\r\n\r\n");
        assertThat(outputShutAfterTheWrite).isTrue();
        assertThat(openJustBeforeTheLingerEnds).as("the client may still be sending").isTrue();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aResponseThatCouldNotBeWrittenClosesAtOnce() {
        HalfClosable halfClosable = new HalfClosable(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ReferenceCountUtil.release(msg);
                promise.setFailure(new IOException("connection reset by peer"));
            }
        }, captured);
        channel = halfClosable;

        ChannelFuture write = captured.ctx.writeAndFlush(response());
        LingeringClose.after(write, captured.ctx);

        assertThat(write.isSuccess()).isFalse();
        assertThat(halfClosable.isOutputShutdown()).isFalse();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aChannelThatCannotBeHalfClosedClosesOnceTheResponseIsWritten() {
        channel = new EmbeddedChannel(captured);

        LingeringClose.after(captured.ctx.writeAndFlush(response()), captured.ctx);

        assertThat(read()).isEqualTo("HTTP/1.1 408 Request Timeout\r\n\r\n");
        assertThat(channel.isOpen()).isFalse();
    }

    private static ByteBuf response() {
        ByteBuf bytes = ByteBufAllocator.DEFAULT.directBuffer();
        bytes.writeCharSequence("HTTP/1.1 408 Request Timeout\r\n\r\n", StandardCharsets.US_ASCII);
        return bytes;
    }

    private String read() {
        ByteBuf written = channel.readOutbound();
        try {
            return written.toString(StandardCharsets.US_ASCII);
        } finally {
            written.release();
        }
    }

    /** The last handler's context, from which the handlers that close a connection call {@link LingeringClose}. */
    private static final class Captured extends ChannelInboundHandlerAdapter {
        ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }
    }

    /** An embedded channel that can be half-closed, as a TCP socket can; only its output is ever shut here. */
    private static final class HalfClosable extends EmbeddedChannel implements DuplexChannel {
        private boolean outputShutdown;

        HalfClosable(ChannelHandler... handlers) {
            super(handlers);
        }

        @Override
        public boolean isInputShutdown() {
            return false;
        }

        @Override
        public ChannelFuture shutdownInput() {
            return shutdownInput(newPromise());
        }

        @Override
        public ChannelFuture shutdownInput(ChannelPromise promise) {
            return promise.setFailure(new UnsupportedOperationException("not used by LingeringClose"));
        }

        @Override
        public boolean isOutputShutdown() {
            return outputShutdown;
        }

        @Override
        public ChannelFuture shutdownOutput() {
            return shutdownOutput(newPromise());
        }

        @Override
        public ChannelFuture shutdownOutput(ChannelPromise promise) {
            outputShutdown = true;
            return promise.setSuccess();
        }

        @Override
        public boolean isShutdown() {
            return outputShutdown;
        }

        @Override
        public ChannelFuture shutdown() {
            return shutdown(newPromise());
        }

        @Override
        public ChannelFuture shutdown(ChannelPromise promise) {
            return promise.setFailure(new UnsupportedOperationException("not used by LingeringClose"));
        }
    }
}
