package dev.pageviews.edge.http;

import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Netty's leak detector, recording each leak it finds instead of only logging it, so that {@link NoLeaks} can fail the
 * test. The edge's unit tests install it with {@code -Dio.netty.customResourceLeakDetector} (see the pom): Netty
 * creates its buffers' detector once per JVM, before any test could swap it in.
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    /** The constructor Netty calls for {@code io.netty.customResourceLeakDetector}. */
    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
        installed = true;
    }

    /** The constructor Netty looks for first (logging an error when it is missing); the limit it passes is unused. */
    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    static boolean installed() {
        return installed;
    }

    /** The leaks found since the last call, each with the buffer's recorded accesses. */
    static List<String> takeLeaks() {
        List<String> taken = List.copyOf(LEAKS);
        LEAKS.removeAll(taken);
        return taken;
    }

    @Override
    protected boolean needReport() {
        return true; // whether or not the logger would print it
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        LEAKS.add(resourceType + ".release() was not called before it was garbage-collected." + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LEAKS.add(resourceType + ".release() was not called before it was garbage-collected.");
        super.reportUntracedLeak(resourceType);
    }
}
