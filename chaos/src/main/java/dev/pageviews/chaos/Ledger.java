package dev.pageviews.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every view the chaos run sent, per page, by what the edge answered over all its tries.
 *
 * <p>How loss and double counts are found exactly: every view has an event id of its own, kept on its retries,
 * so the job must count it once if any try was answered 2xx, at most once otherwise. Almost every view goes
 * to a page of its own request (a single view, or a batch whose views all name one page, retried as one), so a
 * page's count in Redis must be {@code accepted <= counted <= accepted + unknown}. A view answered 2xx and missing
 * from its page's count is lost; a count above everything that might have been stored once per id is counted twice
 * (a retry of a view that was stored after all, or a copy sent after a 2xx, counted again). For a page whose views
 * all had a definite answer in the end (2xx or 4xx) the bounds meet and the check is exact; only views whose last
 * try got no answer (timeout, reset, 503) leave room, and only for themselves. The few shared pages (the bad-field
 * page) get the same bounds, summed over their views.
 */
final class Ledger {

    /** What became of a view, as far as the client can tell: of one try, or of all its tries. */
    enum Outcome {
        /** 2xx: Kafka acknowledged it; must be counted exactly once. */
        ACCEPTED,
        /** 4xx: refused; must not be counted. */
        REJECTED,
        /** The connection was refused: the edge never saw the request; must not be counted. */
        NOT_DELIVERED,
        /** Timeout, reset connection, 503: may or may not be counted, but at most once. */
        UNKNOWN;

        /** Whether a client sends the view again after a try with this outcome: it has no definite answer. */
        boolean retried() {
            return this == NOT_DELIVERED || this == UNKNOWN;
        }

        /**
         * A view's outcome after one more try: answered 2xx once is answered for good; else a try that may have
         * stored it leaves it unknown; else it was refused (4xx) or never delivered.
         */
        static Outcome overTries(Outcome before, Outcome latest) {
            if (before == null) {
                return latest;
            }
            for (Outcome o : List.of(ACCEPTED, UNKNOWN, REJECTED, NOT_DELIVERED)) {
                if (before == o || latest == o) {
                    return o;
                }
            }
            throw new AssertionError(before + ", " + latest);
        }
    }

    /** One page's tally. */
    static final class Tally {
        private long sent;
        private long accepted;
        private long rejected;
        private long notDelivered;
        private long unknown;
        private final boolean lossChecked;
        /** Wall-clock time of the page's first request: with one request per page, when its views were first sent. */
        private final long firstSentMillis;

        Tally(boolean lossChecked, long firstSentMillis) {
            this.lossChecked = lossChecked;
            this.firstSentMillis = firstSentMillis;
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
    private final AtomicLong unavailable = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong acceptedOnRetry = new AtomicLong();
    private final AtomicLong resentAfter2xx = new AtomicLong();

    /** Counts tries of views answered 503 (Kafka unavailable), over all tries. */
    void answered503(long views) {
        unavailable.addAndGet(views);
    }

    long unavailable() {
        return unavailable.get();
    }

    /** Counts views sent again, with their event id, after a try without a definite answer. */
    void retried(long views) {
        retries.addAndGet(views);
    }

    long retries() {
        return retries.get();
    }

    /** Counts views answered 2xx at a retry, not at their first try. */
    void acceptedOnRetry(long views) {
        acceptedOnRetry.addAndGet(views);
    }

    long acceptedOnRetry() {
        return acceptedOnRetry.get();
    }

    /** Counts copies of views sent after the view was answered 2xx (a reply taken as lost). */
    void resentAfter2xx(long views) {
        resentAfter2xx.addAndGet(views);
    }

    long resentAfter2xx() {
        return resentAfter2xx.get();
    }

    /** Records the outcome, over all their tries, of {@code views} views, all for {@code page}, sent now. */
    void record(String page, Outcome outcome, long views) {
        record(page, outcome, views, System.currentTimeMillis());
    }

    /** {@link #record(String, Outcome, long)} for views first sent at {@code sentMillis} (wall clock). */
    void record(String page, Outcome outcome, long views, long sentMillis) {
        pages.computeIfAbsent(page, p -> new Tally(true, sentMillis)).add(outcome, views);
    }

    /**
     * For views whose acceptance does not oblige a count: views a day ahead, which a build without the edge's
     * future bound accepts and whose window then never closes within the run. Counted twice is still checked.
     */
    void recordUnchecked(String page, Outcome outcome, long views, long sentMillis) {
        pages.computeIfAbsent(page, p -> new Tally(false, sentMillis)).add(outcome, views);
    }

    void recordUnchecked(String page, Outcome outcome, long views) {
        recordUnchecked(page, outcome, views, System.currentTimeMillis());
    }

    long total(java.util.function.ToLongFunction<Tally> field) {
        return pages.values().stream().mapToLong(field).sum();
    }

    /** {@link #mismatches(Map, String)} with the job's overflow field. */
    List<Mismatch> mismatches(Map<String, Long> counts) {
        return mismatches(counts, dev.pageviews.job.redis.RedisSinkSettings.OTHER_PAGES);
    }

    /**
     * Pages whose count breaks the bounds, including counted pages the run never sent (all counted twice).
     *
     * <p>When Redis holds its page budget, views of pages beyond it are counted under {@code other} ({@code (other)}):
     * in part, for a page the job's writer folded in one checkpoint and counted under its name in another. Then each
     * page must hold at most what it may ({@code counted <= accepted + unknown}), and {@code other} what the pages
     * miss: at least the sum of their {@code accepted - counted}, at most the sum of their {@code accepted + unknown -
     * counted}. A view lost or counted twice breaks one of these as surely as the per-page bounds.
     */
    List<Mismatch> mismatches(Map<String, Long> counts, String other) {
        List<Mismatch> found = new ArrayList<>();
        long otherCounted = counts.getOrDefault(other, 0L);
        long[] otherBounds = new long[2];
        pages.forEach((page, tally) -> {
            long counted = counts.getOrDefault(page, 0L);
            long accepted = tally.lossChecked ? tally.accepted() : 0;
            long upper = tally.accepted() + tally.unknown();
            boolean mayBeInOther = otherCounted > 0 && counted <= upper;
            if (mayBeInOther) {
                otherBounds[0] += Math.max(0, accepted - counted);
                otherBounds[1] += upper - counted;
            } else if (counted < accepted || counted > upper) {
                found.add(new Mismatch(page, counted, accepted, upper - accepted, tally.firstSentMillis));
            }
        });
        if (otherCounted > 0 && (otherCounted < otherBounds[0] || otherCounted > otherBounds[1])) {
            found.add(new Mismatch(other, otherCounted, otherBounds[0], otherBounds[1] - otherBounds[0], 0));
        }
        counts.forEach((page, counted) -> {
            if (!pages.containsKey(page) && !page.equals(other) && counted != 0) {
                found.add(new Mismatch(page, counted, 0, 0, 0));
            }
        });
        return found;
    }
}
