package dev.pageviews.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Picks free TCP ports on loopback. */
public final class FreePorts {

    private FreePorts() {}

    public static int pick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }

    /** {@code requested} itself, or a free port when it is 0. */
    public static int orFree(int requested) {
        return requested == 0 ? pick() : requested;
    }
}
