package dev.pageviews.chaos;

import java.util.List;

/**
 * When a fault was injected and when the pipeline had recovered from it (wall clock, ms), to tell which
 * fault a lost or doubled view was exposed to.
 */
record FaultWindow(int number, FaultKind kind, long startMillis, long recoveredMillis) {

    /**
     * How long after it is sent a view may still be on its way to Redis, in a window or waiting for its
     * checkpoint: window (1 s) + out-of-orderness (2 s) + checkpoint interval, and a backlog after earlier faults.
     */
    static final long EXPOSURE_MILLIS = 15_000;

    /**
     * The first fault a view sent at {@code sentMillis} met on its way: the earliest whose span (injected until
     * recovered) overlaps the {@link #EXPOSURE_MILLIS} after it was sent; null if none.
     */
    static FaultWindow firstMet(List<FaultWindow> windows, long sentMillis) {
        FaultWindow found = null;
        for (FaultWindow w : windows) {
            boolean overlaps = w.startMillis <= sentMillis + EXPOSURE_MILLIS && w.recoveredMillis >= sentMillis;
            if (overlaps && (found == null || w.startMillis < found.startMillis)) {
                found = w;
            }
        }
        return found;
    }

    String label() {
        return "fault " + number + " (" + kind.description() + ")";
    }
}
