package dev.pageviews.local.browser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of the edge whose behaviour the test switches: {@link Mode#DOWN} closes every connection at
 * once (the edge unreachable); {@link Mode#DROP_RESPONSES} passes the request on but drops the edge's answer (the view
 * reached Kafka, the browser saw a failure); {@link Mode#UP} passes everything.
 */
public final class SwitchableProxy implements AutoCloseable {

    public enum Mode { UP, DOWN, DROP_RESPONSES }

    private final ServerSocket listener;
    private final int target;
    private volatile Mode mode = Mode.UP;
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();

    public SwitchableProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    /** Answers the edge gave that the browser never saw. */
    public int dropped() {
        return dropped.get();
    }

    /** Connections closed at once while down. */
    public int refused() {
        return refused.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Mode now = mode;
                if (now == Mode.DOWN) {
                    refused.incrementAndGet();
                    client.close();
                    continue;
                }
                Socket edge = new Socket(InetAddress.getLoopbackAddress(), target);
                pipe(client, edge, false);
                pipe(edge, client, now == Mode.DROP_RESPONSES);
            } catch (IOException e) {
                // closed, or one connection failed: the browser sees a network error, as it should
            }
        }
    }

    private void pipe(Socket from, Socket to, boolean dropAnswer) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (dropAnswer) { // the edge answered: close instead of passing it on
                        dropped.incrementAndGet();
                        break;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "proxy-pipe");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
