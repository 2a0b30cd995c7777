package dev.pageviews.stack;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for a condition that a service reaches by itself (a failover, a replica in sync). */
final class Poll {

    private Poll() {}

    /**
     * Polls {@code condition} every 100 ms until it holds; a condition that throws has not held yet. After
     * {@code timeout}, fails naming {@code what} and the last failure or, if {@code state} is given, the state then.
     */
    static void until(String what, Duration timeout, Supplier<Boolean> condition, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                if (Boolean.TRUE.equals(condition.get())) {
                    return;
                }
                last = null;
            } catch (RuntimeException notYet) {
                last = notYet;
            }
            if (System.nanoTime() > deadline) {
                String now = state == null ? "" : "; " + safely(state);
                throw new IllegalStateException(what + " did not happen within " + timeout.toMillis() + " ms" + now
                        + (last == null ? "" : "; last error: " + last), last);
            }
            ServiceProcess.sleep(100);
        }
    }

    private static String safely(Supplier<String> state) {
        try {
            return state.get();
        } catch (RuntimeException e) {
            return "(state unknown: " + e + ")";
        }
    }
}
