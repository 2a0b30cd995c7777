package dev.pageviews.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    /**
     * The kernel hands the same ephemeral port to binds in a row often enough that 1,000 unguarded picks repeat
     * some (a CI run once gave Redis and the Flink UI one port); each pick must be a port no other pick returned.
     */
    @Test
    void neverHandsOutThePortItGaveBefore() {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            ports.add(FreePorts.pick());
        }
        assertThat(ports).hasSize(1_000);
    }

    /** Ports of outgoing connections come from the ephemeral range: a picked port held for later must not be in it. */
    @Test
    void picksBelowTheEphemeralRange() {
        int start = FreePorts.ephemeralRangeStart();
        for (int i = 0; i < 100; i++) {
            assertThat(FreePorts.pick()).isLessThan(start).isGreaterThanOrEqualTo(20_000);
        }
    }
}
