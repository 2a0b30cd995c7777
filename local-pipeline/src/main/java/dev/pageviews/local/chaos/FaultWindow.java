package dev.pageviews.local.chaos;

import java.util.List;

/**
 * When a fault was injected and when the pipeline had recovered from it (wall clock, ms), to tell which
 * fault a lost or doubled view was exposed to.
 */
record FaultWindow(int number, FaultKind kind, long startMillis, long recoveredMillis) {

    /**
     * A view sent this long before a fault may still be waiting in a window or for its checkpoint when the
     * fault hits: window (1 s) + out-of-orderness (2 s) + checkpoint interval, and a backlog after earlier faults.
     */
    static final long LEAD_MILLIS = 15_000;

    /** The last fault whose span, with its lead, covers {@code sentMillis}; null if none. */
    static FaultWindow covering(List<FaultWindow> windows, long sentMillis) {
        FaultWindow found = null;
        for (FaultWindow w : windows) {
            if (sentMillis >= w.startMillis - LEAD_MILLIS && sentMillis <= w.recoveredMillis) {
                found = w;
            }
        }
        return found;
    }

    String label() {
        return "fault " + number + " (" + kind.description() + ")";
    }
}
