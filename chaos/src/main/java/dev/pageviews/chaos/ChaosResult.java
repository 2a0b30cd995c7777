package dev.pageviews.chaos;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a chaos run sent, what the edge answered, what Redis counted, and the faults: the table it prints. Views are
 * counted once each, by their outcome over all tries ({@code accepted}: answered 2xx at some try; {@code rejected},
 * {@code notDelivered}, {@code unknown}: never answered 2xx, by what the last tries said); {@code unavailable} counts
 * tries answered 503, {@code retries} the tries after a view's first, {@code acceptedOnRetry} the views answered 2xx
 * only at a retry, {@code resentAfter2xx} the copies sent after a 2xx (a reply taken as lost).
 */
public record ChaosResult(
        ChaosConfig config,
        Duration loadDuration,
        long sent,
        long accepted,
        long rejected,
        long notDelivered,
        long unknown,
        long unavailable,
        long retries,
        long acceptedOnRetry,
        long resentAfter2xx,
        long counted,
        long lost,
        long countedTwice,
        List<Ledger.Mismatch> mismatches,
        Map<FaultKind, FaultStats> faults,
        List<FaultWindow> faultWindows,
        Boolean dayAheadRefused,
        boolean settled,
        Freshness freshness) {

    ChaosResult(ChaosConfig config, Duration loadDuration, long sent, long accepted, long rejected, long notDelivered, long unknown,
            long unavailable, long retries, long acceptedOnRetry, long resentAfter2xx, long counted, long lost, long countedTwice,
            List<Ledger.Mismatch> mismatches, Map<FaultKind, FaultStats> faults, List<FaultWindow> faultWindows,
            Boolean dayAheadRefused, boolean settled) {
        this(config, loadDuration, sent, accepted, rejected, notDelivered, unknown, unavailable, retries, acceptedOnRetry,
                resentAfter2xx, counted, lost, countedTwice, mismatches, faults, faultWindows, dayAheadRefused, settled,
                Freshness.NONE);
    }

    /**
     * How often a kind of fault was injected; the longest recovery (from the end of the fault until a new view
     * was counted) and the longest outage (from its start until then).
     */
    public record FaultStats(int count, Duration longestRecovery, Duration longestOutage, int notRecovered) {
        FaultStats plus(Duration recovery, Duration outage) {
            if (recovery == null) {
                return new FaultStats(count + 1, longestRecovery, longestOutage, notRecovered + 1);
            }
            return new FaultStats(count + 1, longer(recovery, longestRecovery), longer(outage, longestOutage), notRecovered);
        }

        private static Duration longer(Duration a, Duration b) {
            return b == null || a.compareTo(b) > 0 ? a : b;
        }
    }

    static Map<FaultKind, FaultStats> noFaults() {
        Map<FaultKind, FaultStats> map = new EnumMap<>(FaultKind.class);
        for (FaultKind kind : FaultKind.values()) {
            map.put(kind, new FaultStats(0, null, null, 0));
        }
        return map;
    }

    /** No view answered 2xx is missing, none is counted twice, and the counts came to rest. */
    public boolean exact() {
        return lost == 0 && countedTwice == 0 && settled;
    }

    public int faultCount(FaultKind kind) {
        return faults.get(kind).count();
    }

    public String table() {
        StringBuilder t = new StringBuilder();
        t.append(String.format("%npageviews chaos: %s of load at %d views/s, seed %d%n", minutes(loadDuration),
                config.viewsPerSecond(), config.seed()));
        t.append(String.format("  %-48s %10d%n", "views sent, each with an event_id of its own", sent));
        t.append(String.format("  %-48s %10d%n", "retries, same event_id (no definite answer)", retries));
        t.append(String.format("  %-48s %10d%n", "sent again after a 2xx (reply taken as lost)", resentAfter2xx));
        t.append(String.format("  %-48s %10d%n", "tries answered 503 (Kafka unavailable)", unavailable));
        t.append(String.format("  %-48s %10d%n", "answered 2xx (must be counted once)", accepted));
        t.append(String.format("  %-48s %10d%n", "  of which only at a retry", acceptedOnRetry));
        t.append(String.format("  %-48s %10d%n", "never answered 2xx", sent - accepted));
        t.append(String.format("  %-48s %10d%n", "  answered 4xx (must not be counted)", rejected));
        t.append(String.format("  %-48s %10d%n", "  connection refused at every try (not counted)", notDelivered));
        t.append(String.format("  %-48s %10d%n", "  unknown after the last try (counted 0 or 1)", unknown));
        t.append(String.format("  %-48s %10d%n", "counted in Redis", counted));
        t.append(String.format("  %-48s %10d%n", "lost (answered 2xx, not counted)", lost));
        t.append(String.format("  %-48s %10d%n", "counted twice (above once per event_id)", countedTwice));
        t.append(String.format("%n  freshness of ordinary pages (a probe view's 202 until Redis counts it):%n"));
        t.append(freshness.line("without faults", freshness.quiet()));
        t.append(freshness.line("while one client floods distinct URLs", freshness.duringFlood()));
        t.append(String.format("%n  %-44s %6s %17s %15s%n", "fault", "count", "longest recovery", "longest outage"));
        faults.forEach((kind, stats) -> t.append(String.format("  %-44s %6d %17s %15s%s%n", kind.description(), stats.count(),
                stats.longestRecovery() == null ? "-" : FaultInjector.seconds(stats.longestRecovery()),
                stats.longestOutage() == null ? "-" : FaultInjector.seconds(stats.longestOutage()),
                stats.notRecovered() > 0 ? "  (" + stats.notRecovered() + " NOT recovered)" : "")));
        t.append("  recovery: from the end of the fault (service back up, setting undone) until a new view is counted in Redis;\n"
                + "  outage: from the start of the fault until then.\n");
        t.append("  A TaskManager kill is MiniCluster.terminateTaskManager in this JVM (then a new TaskManager), not kill -9 of a process.\n");
        t.append(String.format("  A view is tried up to %d times (pauses from %s doubling to %s, at least Retry-After), always with its"
                + " event_id.%n", ViewSender.Retries.CLIENT.maxTries(), FaultInjector.seconds(ViewSender.Retries.CLIENT.firstBackoff()),
                FaultInjector.seconds(ViewSender.Retries.CLIENT.maxBackoff())));
        if (dayAheadRefused == null || !dayAheadRefused) {
            t.append("  The edge accepted a view a day ahead (no future bound in this build): no more were sent; a 202 or a 400 is\n"
                    + "  accepted for it, and it may stay uncounted (its window closes a day later).\n");
        } else {
            t.append("  Views a day ahead were refused by the edge (400) and must not be counted; they were mixed into the load.\n");
        }
        if (!settled) {
            t.append("  Counts did not come to rest (Kafka lag and Redis changing) before the wait ended: the figures may move.\n");
        }
        if (!mismatches.isEmpty()) {
            t.append(String.format("%n  %d pages off; by the first fault they met (sent before its recovery, at most %d s"
                    + " before it began):%n", mismatches.size(), FaultWindow.EXPOSURE_MILLIS / 1000));
            offByFault().forEach((label, off) -> t.append(String.format("    %-56s %7d lost %5d counted twice, sent %s-%s%n",
                    label, off[0], off[1], TIME.format(Instant.ofEpochMilli(off[2])), TIME.format(Instant.ofEpochMilli(off[3])))));
            t.append("  the first ones (page, sent at UTC: counted, answered 2xx, unknown outcome):\n");
            mismatches.stream().sorted(java.util.Comparator.comparingLong(Ledger.Mismatch::sentMillis)).limit(10)
                    .forEach(m -> t.append(String.format("    %s, %s: %d, %d, %d%n", m.page(), TIME.format(
                            Instant.ofEpochMilli(m.sentMillis())), m.counted(), m.accepted(), m.unknown())));
        }
        t.append(exact() ? "RESULT: OK, every view answered 2xx counted exactly once, its retries and copies not again\n"
                : String.format("RESULT: FAILED: %d lost, %d counted twice%s%n", lost, countedTwice,
                        settled ? "" : ", counts not settled"));
        return t.toString();
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    /** Lost and counted-twice views by the first fault they met; {@code [lost, countedTwice, firstSent, lastSent]}. */
    public Map<String, long[]> offByFault() {
        Map<String, long[]> off = new LinkedHashMap<>();
        for (Ledger.Mismatch m : mismatches) {
            FaultWindow w = FaultWindow.firstMet(faultWindows, m.sentMillis());
            String label = m.page().equals(Load.BAD_FIELD_PAGE) ? "the bad-field page (fed all run long)"
                    : w == null ? "no fault" : w.label();
            long[] sums = off.computeIfAbsent(label,
                    k -> new long[] {0, 0, Long.MAX_VALUE, Long.MIN_VALUE});
            sums[0] += m.lost();
            sums[1] += m.countedTwice();
            sums[2] = Math.min(sums[2], m.sentMillis());
            sums[3] = Math.max(sums[3], m.sentMillis());
        }
        Map<String, long[]> inOrder = new LinkedHashMap<>(); // by when the first of them was sent
        off.entrySet().stream().sorted(java.util.Comparator.comparingLong(e -> e.getValue()[2]))
                .forEach(e -> inOrder.put(e.getKey(), e.getValue()));
        return inOrder;
    }

    private static String minutes(Duration d) {
        return String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
    }
}
