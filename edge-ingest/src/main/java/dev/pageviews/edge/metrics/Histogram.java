package dev.pageviews.edge.metrics;

import java.math.BigDecimal;
import java.util.concurrent.atomic.LongAdder;

/** A Prometheus histogram of durations with fixed buckets, recorded in nanoseconds, printed in seconds. */
final class Histogram {

    private final String[] bounds;
    private final long[] boundNanos;
    private final LongAdder[] counts; // per bucket, not cumulative; the last one is +Inf
    private final LongAdder sumNanos = new LongAdder();

    Histogram(String[] boundsInSeconds) {
        this.bounds = boundsInSeconds.clone();
        this.boundNanos = new long[bounds.length];
        this.counts = new LongAdder[bounds.length + 1];
        for (int i = 0; i < bounds.length; i++) {
            boundNanos[i] = new BigDecimal(bounds[i]).movePointRight(9).longValueExact();
            if (i > 0 && boundNanos[i] <= boundNanos[i - 1]) {
                throw new IllegalArgumentException("bucket bounds must increase: " + bounds[i]);
            }
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void observe(long nanos) {
        int i = 0;
        while (i < boundNanos.length && nanos > boundNanos[i]) {
            i++;
        }
        counts[i].increment();
        sumNanos.add(nanos);
    }

    void writeTo(StringBuilder out, String name) {
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
            cumulative += counts[i].sum();
            Metrics.sample(out, name + "_bucket{le=\"" + bounds[i] + "\"}", cumulative);
        }
        cumulative += counts[bounds.length].sum();
        Metrics.sample(out, name + "_bucket{le=\"+Inf\"}", cumulative);
        out.append(name).append("_sum ").append(BigDecimal.valueOf(sumNanos.sum()).movePointLeft(9).stripTrailingZeros().toPlainString()).append('\n');
        Metrics.sample(out, name + "_count", cumulative);
    }
}
