package dev.pageviews.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty reports a buffer that was garbage-collected without being released while it ran, including
 * one the test never sees, such as a request body a handler dropped without releasing its request. At
 * {@code PARANOID} Netty tracks every buffer of its allocators (not unpooled heap buffers, which need no release), so
 * the tests' request bodies come from the allocator the server's connections use.
 *
 * <p>Netty finds a leak only after the garbage collector has cleared the buffer, and reports it on a later
 * allocation; this runs the collector and allocates a few times after each test, so a leak is reported in the test
 * that made it. It complements, never replaces, the tests' own {@code refCnt() == 0} checks on the requests and
 * responses they hold, which do not depend on the collector.
 */
public final class NoLeaks implements BeforeAllCallback, AfterEachCallback {

    private static final int ROUNDS = 3;

    @Override
    public void beforeAll(ExtensionContext context) {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ByteBufAllocator.DEFAULT.directBuffer(1).release(); // creates the buffers' detector, if no test has yet
        assertThat(RecordingLeakDetector.installed())
                .as("Netty's buffers are tracked by RecordingLeakDetector: run with "
                        + "-Dio.netty.customResourceLeakDetector=" + RecordingLeakDetector.class.getName()
                        + " (surefire's argLine in edge-ingest/pom.xml sets it)")
                .isTrue();
        RecordingLeakDetector.takeLeaks(); // found before this class ran: not its own
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        List<String> leaks = new ArrayList<>();
        for (int round = 0; round < ROUNDS && leaks.isEmpty(); round++) {
            System.gc();
            Thread.sleep(5); // the JVM queues cleared references on its own thread
            ByteBufAllocator.DEFAULT.directBuffer(1).release(); // each tracked allocation reports what the collector found
            leaks.addAll(RecordingLeakDetector.takeLeaks());
        }
        assertThat(leaks).as("buffers leaked by %s", context.getDisplayName()).isEmpty();
    }
}
