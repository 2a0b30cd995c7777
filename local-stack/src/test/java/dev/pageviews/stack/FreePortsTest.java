package dev.pageviews.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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

    /**
     * The build runs test classes in two JVMs side by side, and a test's {@code up} picks ports in its own JVM: a port
     * this JVM handed out (and whose server may not be listening yet) must not be handed out by another process.
     * Unguarded, two sets of 2,000 picks from the 12,768 ports below the range share about 300.
     */
    @Test
    void anotherProcessNeverGetsAPortThisOneHandedOut() throws Exception {
        Set<Integer> mine = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            mine.add(FreePorts.pick());
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process other = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                PickInAnotherProcess.class.getName(), "2000")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            List<Integer> theirs = new String(other.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
                    .lines().map(Integer::parseInt).toList();
            assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(other.exitValue()).isZero();
            assertThat(theirs).hasSize(2_000).doesNotContainAnyElementsOf(mine);
        } finally {
            other.destroyForcibly();
        }
    }

    /** Prints the ports of {@code args[0]} picks, one a line. */
    public static final class PickInAnotherProcess {
        public static void main(String[] args) {
            int picks = Integer.parseInt(args[0]);
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < picks; i++) {
                out.append(FreePorts.pick()).append('\n');
            }
            System.out.print(out);
        }
    }
}
