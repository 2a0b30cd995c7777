package dev.pageviews.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How soon an ordinary page's view is counted (from its 202 try until Redis holds it), measured with probe views:
 * in a quiet stretch of the load, and while a client floods distinct URLs.
 */
record Freshness(List<Duration> quiet, List<Duration> duringFlood) {

    static final Freshness NONE = new Freshness(List.of(), List.of());

    Freshness {
        quiet = List.copyOf(quiet);
        duringFlood = List.copyOf(duringFlood);
    }

    /** The {@code percent} percentile (nearest rank), or null without samples. */
    static Duration percentile(List<Duration> samples, int percent) {
        if (samples.isEmpty()) {
            return null;
        }
        List<Duration> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    String line(String what, List<Duration> samples) {
        if (samples.isEmpty()) {
            return String.format("  %-44s %s%n", what, "-");
        }
        return String.format("  %-44s p50 %s, max %s (%d probes)%n", what, FaultInjector.seconds(percentile(samples, 50)),
                FaultInjector.seconds(percentile(samples, 100)), samples.size());
    }
}
