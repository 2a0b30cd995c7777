package dev.pageviews.local.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every view the chaos run sent, per page, by what the edge answered.
 *
 * <p>How loss and double counts are found exactly: almost every request goes to a page of its own (a single
 * view, or a batch whose views all name one page), so a page's count in Redis must be
 * {@code accepted <= counted <= accepted + unknown}. A view answered 2xx and missing from its page's count is
 * lost; a count above everything that might have been stored is counted twice. For a page whose one request
 * had a definite answer (2xx or 4xx) the bounds meet and the check is exact; only requests whose answer never
 * came (timeout, reset, 503) leave room, and only for their own views. The few shared pages (the bad-field
 * page) get the same bounds, summed over their requests.
 */
final class Ledger {

    /** What became of a request's views, as far as the client can tell. */
    enum Outcome {
        /** 2xx: Kafka acknowledged it; must be counted exactly once. */
        ACCEPTED,
        /** 4xx: refused; must not be counted. */
        REJECTED,
        /** The connection was refused: the edge never saw the request; must not be counted. */
        NOT_DELIVERED,
        /** Timeout, reset connection, 503: may or may not be counted, but at most once. */
        UNKNOWN
    }

    /** One page's tally. */
    static final class Tally {
        private long sent;
        private long accepted;
        private long rejected;
        private long notDelivered;
        private long unknown;
        private final boolean lossChecked;
        /** Wall-clock time of the page's first request: with one request per page, when its views were sent. */
        private final long firstSentMillis = System.currentTimeMillis();

        Tally(boolean lossChecked) {
            this.lossChecked = lossChecked;
        }

        synchronized void add(Outcome outcome, long views) {
            sent += views;
            switch (outcome) {
                case ACCEPTED -> accepted += views;
                case REJECTED -> rejected += views;
                case NOT_DELIVERED -> notDelivered += views;
                case UNKNOWN -> unknown += views;
            }
        }

        synchronized long sent() {
            return sent;
        }

        synchronized long accepted() {
            return accepted;
        }

        synchronized long rejected() {
            return rejected;
        }

        synchronized long notDelivered() {
            return notDelivered;
        }

        synchronized long unknown() {
            return unknown;
        }
    }

    /** A page whose count is outside its bounds. */
    record Mismatch(String page, long counted, long accepted, long unknown, long sentMillis) {
        long lost() {
            return Math.max(0, accepted - counted);
        }

        long countedTwice() {
            return Math.max(0, counted - accepted - unknown);
        }
    }

    private final Map<String, Tally> pages = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong unavailable = new java.util.concurrent.atomic.AtomicLong();

    /** Counts views answered 503 (Kafka unavailable): part of {@link Outcome#UNKNOWN}, shown on their own. */
    void answered503(long views) {
        unavailable.addAndGet(views);
    }

    long unavailable() {
        return unavailable.get();
    }

    /** Records a request's outcome for its {@code views} views, all for {@code page}. */
    void record(String page, Outcome outcome, long views) {
        pages.computeIfAbsent(page, p -> new Tally(true)).add(outcome, views);
    }

    /**
     * For views whose acceptance does not oblige a count: views a day ahead, which a build without the edge's
     * future bound accepts and whose window then never closes within the run. Counted twice is still checked.
     */
    void recordUnchecked(String page, Outcome outcome, long views) {
        pages.computeIfAbsent(page, p -> new Tally(false)).add(outcome, views);
    }

    long total(java.util.function.ToLongFunction<Tally> field) {
        return pages.values().stream().mapToLong(field).sum();
    }

    /** Pages whose count breaks the bounds, including counted pages the run never sent (all counted twice). */
    List<Mismatch> mismatches(Map<String, Long> counts) {
        List<Mismatch> found = new ArrayList<>();
        pages.forEach((page, tally) -> {
            long counted = counts.getOrDefault(page, 0L);
            long accepted = tally.lossChecked ? tally.accepted() : 0;
            long upper = tally.accepted() + tally.unknown();
            if (counted < accepted || counted > upper) {
                found.add(new Mismatch(page, counted, accepted, upper - accepted, tally.firstSentMillis));
            }
        });
        counts.forEach((page, counted) -> {
            if (!pages.containsKey(page) && counted != 0) {
                found.add(new Mismatch(page, counted, 0, 0, 0));
            }
        });
        return found;
    }
}
