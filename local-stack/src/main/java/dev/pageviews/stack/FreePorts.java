package dev.pageviews.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Picks free TCP ports on loopback. */
public final class FreePorts {

    /**
     * Ports already handed out by this JVM. The kernel may return the port it just freed to the next bind to port 0,
     * so two picks in a row (nothing bound in between) could give the same port to two services.
     */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {}

    public static int pick() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = bindAndRelease();
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port on loopback that was not handed out already");
    }

    private static int bindAndRelease() {
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
