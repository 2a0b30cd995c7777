package dev.pageviews.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks free TCP ports on loopback, below the kernel's ephemeral range (Linux: 32768-60999, read from
 * {@code /proc/sys/net/ipv4/ip_local_port_range}). A port picked by binding to port 0 comes from that range, which
 * is also where every outgoing connection takes its local port: a port picked early and bound later (a test that
 * starts {@code up} after other tests ran) could be taken meanwhile by one of Kafka's or Flink's connections, and
 * the bind failed with "Address already in use". Below the range only explicit binds take ports.
 *
 * <p>A port is picked some time before its server binds it, often in another process (Redis, Kafka, {@code up}).
 * Each pick therefore also locks the port's byte of one lock file in the temp directory, until this JVM exits, so
 * that JVMs picking side by side (the build's test forks, {@code up} and the test that started it) never hand out
 * one port twice. The file is the user's own; other users' processes are not guarded against. The operating system
 * drops a process's locks when it ends, even on kill -9.
 */
public final class FreePorts {

    private static final int LOWEST = 20_000;

    /**
     * Ports already handed out by this JVM. The kernel may return the port it just freed to the next bind to port 0,
     * so two picks in a row (nothing bound in between) could give the same port to two services.
     */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private static final Logger LOG = LoggerFactory.getLogger(FreePorts.class);
    /** Per user: another user's file in a shared temp directory could not be opened for writing. */
    private static final Path LOCK_FILE = Path.of(System.getProperty("java.io.tmpdir"),
            "pageviews-free-ports-" + System.getProperty("user.name", "").replaceAll("[^A-Za-z0-9._-]", "_") + ".lock");
    private static final FileChannel LOCKS = openLocks();

    private FreePorts() {}

    public static int pick() {
        int highest = ephemeralRangeStart() - 1;
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = highest > LOWEST ? ThreadLocalRandom.current().nextInt(LOWEST, highest + 1) : 0;
            if (port != 0 && HANDED_OUT.contains(port)) {
                continue;
            }
            int bound = bindAndRelease(port);
            if (bound > 0 && HANDED_OUT.add(bound) && reserveAcrossProcesses(bound)) {
                return bound;
            }
        }
        throw new IllegalStateException("no free port on loopback that was not handed out already");
    }

    /** Locks {@code port}'s byte of the lock file; false when another process holds it. */
    private static boolean reserveAcrossProcesses(int port) {
        if (LOCKS == null) {
            return true;
        }
        try {
            FileLock lock = LOCKS.tryLock(port, 1, false); // held, not released: the JVM's exit drops it
            return lock != null;
        } catch (IOException e) {
            LOG.debug("Could not lock port {} in {}: {}", port, LOCK_FILE, e.toString());
            return true;
        }
    }

    private static FileChannel openLocks() {
        try {
            return FileChannel.open(LOCK_FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot open {} ({}); ports are then picked without a guard against other processes on this "
                    + "machine picking the same one.", LOCK_FILE, e.toString());
            return null;
        }
    }

    /** Binds {@code port} (0: any) on loopback and releases it; returns the port, or -1 when it is taken. */
    private static int bindAndRelease(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException taken) {
            if (port == 0) {
                throw new UncheckedIOException("no free port on loopback", taken);
            }
            return -1;
        }
    }

    /** The first port of the kernel's ephemeral range; 32768 (Linux's default) when it cannot be read. */
    static int ephemeralRangeStart() {
        try {
            // Files.readString gave only the first character of this procfs file (its size reads as 0); a line reader reads it whole
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException unknown) {
            return 32_768;
        }
    }

    /** {@code requested} itself, or a free port when it is 0. */
    public static int orFree(int requested) {
        return requested == 0 ? pick() : requested;
    }
}
