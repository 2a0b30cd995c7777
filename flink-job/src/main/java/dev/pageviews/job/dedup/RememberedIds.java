package dev.pageviews.job.dedup;

import dev.pageviews.job.hashing.SipHash;
import java.util.Arrays;

/**
 * The ids of one bucket that were counted, each with the second it was first counted: an open-addressing table in
 * primitive arrays (a UUID takes 20 bytes in a slot, another id a reference to its string besides), so that
 * millions of remembered ids are a few arrays per bucket for the garbage collector and the checkpoint, not
 * several objects per id.
 *
 * <p>An id's slot comes from a keyed hash of the id ({@link SipHash}) under a key of this table's own, drawn when the
 * table is made (and again when it is rebuilt), never from {@link DedupKey#spread()}, which clients can make
 * collide: a UUID's spread inverts ({@code high * G ^ low}), another id's is that of its {@code String.hashCode}. Placed
 * by the spread, ids chosen to collide would all probe one run of slots: O(ids) per view (BENCHMARKS.md, "Why keys
 * are salted and slots come from a keyed hash"). The spread still decides the bucket, and so where a restored id is looked for; the slots are not part of
 * a snapshot (a table is rebuilt from its ids when read back), so the key may differ from run to run.
 *
 * <p>A bucket holds at most {@code maxIds} ids (passed at each call, as a restored job may have another limit): a
 * table asked to remember one more forgets the ids it counted longest ago, down to three quarters of the limit,
 * before their window has passed ({@link #takeForgotten()}). A copy of a forgotten id is counted again. The bucket of
 * an id is public knowledge, so a client could otherwise pile ids into one bucket until its table no longer fits in
 * memory (a bucket's table is one state value: copied whole at the first change after a checkpoint, and rebuilt
 * whole as it grows).
 *
 * <p>Times are whole seconds since {@link #EPOCH_SECOND} ({@link #second(long)}); 0 marks an empty slot. An id is
 * remembered while at most {@code span} seconds ({@link #span(long)}: the window rounded up to whole seconds) have
 * passed since the second of its first count, so a window lasts at least as long as asked and at most a second
 * longer (two for a window that is no whole number of seconds). The span is passed at each call, as a restored
 * job may have another window: it then applies to the ids remembered before, too. Expired ids are not removed one by one: their slot is taken by the next new id that probes
 * past it, the table drops them all when it fills up and is rebuilt, and snapshots leave them out (so a restored
 * table is sized for the ids it still remembers).
 *
 * <p>Mutable, and not thread-safe: Flink's heap state backend copies it ({@link #copy()}) before a change when a
 * checkpoint still holds the old version.
 */
public final class RememberedIds {

    /** 2020-01-01T00:00:00Z: seconds are counted from here so that an int holds them until 2088. */
    static final long EPOCH_SECOND = 1_577_836_800L;
    private static final int MIN_CAPACITY = 8;
    private static final int EMPTY = 0;

    private long[] high;
    private long[] low;
    private int[] firsts;
    private String[] texts; // allocated when the first id that is not a UUID arrives
    private SipHash slots; // where an id goes in these arrays
    private int used; // slots holding an id, remembered or expired
    private int latestSecond; // the latest second this table was asked at, and with which span:
    private int latestSpan; // what is expired when it is written out
    private int forgotten; // ids forgotten for the limit since takeForgotten() was last asked

    public RememberedIds() {
        this(MIN_CAPACITY);
    }

    private RememberedIds(int capacity) {
        high = new long[capacity];
        low = new long[capacity];
        firsts = new int[capacity];
        slots = SipHash.withRandomKey();
    }

    /** A table sized for {@code ids} ids. */
    static RememberedIds withRoomFor(int ids) {
        return new RememberedIds(capacityFor(ids));
    }

    /** The second (since {@link #EPOCH_SECOND}, at least 1) that {@code epochMillis} falls in. */
    public static int second(long epochMillis) {
        return (int) Math.max(1, Math.floorDiv(epochMillis, 1000) - EPOCH_SECOND);
    }

    /** A window of {@code windowMillis} in whole seconds, rounded up. */
    public static int span(long windowMillis) {
        return (int) Math.min(Integer.MAX_VALUE, Math.floorDiv(windowMillis + 999, 1000));
    }

    /**
     * Remembers {@code key} as counted at {@code now} unless it is remembered already (counted at most {@code span}
     * seconds before); returns whether it was new. An id whose window has passed is new again, and remembered anew; a
     * copy never moves the second of the first count. A new id in a table that holds {@code maxIds} ids (remembered or
     * expired) first makes it drop its expired ids and, if it is still full, forget those counted longest ago.
     */
    public boolean rememberIfNew(DedupKey key, int now, int span, int maxIds) {
        latestSecond = Math.max(latestSecond, now);
        latestSpan = span;
        int mask = firsts.length - 1;
        int free = -1; // the first slot of an expired id on the probe path: reused for a new id
        for (int slot = slot(key) & mask; ; slot = (slot + 1) & mask) {
            int first = firsts[slot];
            if (first == EMPTY) {
                if (free < 0) {
                    if (used >= maxIds) {
                        rebuild(now, span, maxIds - Math.max(1, maxIds / 4));
                        return rememberIfNew(key, now, span, maxIds);
                    }
                    if (used + 1 > firsts.length * 3 / 4) {
                        rebuild(now, span, Integer.MAX_VALUE);
                        return rememberIfNew(key, now, span, maxIds);
                    }
                    free = slot;
                    used++;
                }
                put(free, key, now);
                return true;
            }
            boolean remembered = remembered(first, now, span);
            if (holds(slot, key)) {
                if (remembered) {
                    return false;
                }
                firsts[slot] = now;
                return true;
            }
            if (!remembered && free < 0) {
                free = slot;
            }
        }
    }

    /** How many ids this table forgot for the limit since the last call (or since it was made), before their window passed. */
    public int takeForgotten() {
        int n = forgotten;
        forgotten = 0;
        return n;
    }

    /** Whether an id first counted at {@code first} is still remembered at {@code now}. */
    static boolean remembered(int first, int now, int span) {
        return (long) now - first <= span;
    }

    /** How many ids are remembered at the latest second the table was asked at. */
    public int size() {
        int size = 0;
        for (int first : firsts) {
            if (first != EMPTY && remembered(first, latestSecond, latestSpan)) {
                size++;
            }
        }
        return size;
    }

    /** Gives each id remembered at the latest second and span the table was asked at, with its first second. */
    public <E extends Exception> void forEach(Visitor<E> action) throws E {
        for (int slot = 0; slot < firsts.length; slot++) {
            if (firsts[slot] != EMPTY && remembered(firsts[slot], latestSecond, latestSpan)) {
                action.accept(key(slot), firsts[slot]);
            }
        }
    }

    /** What {@link #forEach} gives each id to. */
    @FunctionalInterface
    public interface Visitor<E extends Exception> {
        void accept(DedupKey key, int first) throws E;
    }

    int latestSecond() {
        return latestSecond;
    }

    int latestSpan() {
        return latestSpan;
    }

    /** Adds an id read back from a snapshot, known to be absent; the table must have room ({@link #withRoomFor}). */
    void restore(DedupKey key, int first, int asOf, int span) {
        latestSecond = Math.max(latestSecond, asOf);
        latestSpan = span;
        int mask = firsts.length - 1;
        int slot = slot(key) & mask;
        while (firsts[slot] != EMPTY) {
            slot = (slot + 1) & mask;
        }
        put(slot, key, first);
        used++;
    }

    /** A copy that shares nothing mutable with this table. */
    public RememberedIds copy() {
        RememberedIds copy = new RememberedIds(0);
        copy.high = high.clone();
        copy.low = low.clone();
        copy.firsts = firsts.clone();
        copy.texts = texts == null ? null : texts.clone();
        copy.slots = slots; // the arrays' layout: immutable, shared
        copy.used = used;
        copy.latestSecond = latestSecond;
        copy.latestSpan = latestSpan;
        return copy;
    }

    /** The keyed hash that places {@code key}: of the UUID's 128 bits, or of the id's characters. */
    private int slot(DedupKey key) {
        return (int) (key.isUuid() ? slots.hash(key.high(), key.low()) : slots.hash(key.text()));
    }

    private boolean holds(int slot, DedupKey key) {
        String text = texts == null ? null : texts[slot];
        return key.isUuid() ? text == null && high[slot] == key.high() && low[slot] == key.low() : key.text().equals(text);
    }

    private void put(int slot, DedupKey key, int first) {
        firsts[slot] = first;
        high[slot] = key.high();
        low[slot] = key.low();
        if (!key.isUuid()) {
            if (texts == null) {
                texts = new String[firsts.length];
            }
            texts[slot] = key.text();
        } else if (texts != null) {
            texts[slot] = null;
        }
    }

    private DedupKey key(int slot) {
        String text = texts == null ? null : texts[slot];
        return text != null ? new DedupKey(0, 0, text) : new DedupKey(high[slot], low[slot], null);
    }

    /**
     * Moves the ids remembered at {@code now}, at most {@code keep} of them (those counted last; within one second, the
     * first met), into arrays sized for them and one more (growing or shrinking), placed under a new key.
     */
    private void rebuild(int now, int span, int keep) {
        int remembered = 0;
        for (int first : firsts) {
            if (first != EMPTY && remembered(first, now, span)) {
                remembered++;
            }
        }
        int cutoff = Integer.MIN_VALUE; // ids first counted before this second are forgotten,
        int tiesKept = Integer.MAX_VALUE; // and of those counted in it, this many are kept
        if (remembered > keep) {
            int[] seconds = new int[remembered];
            int n = 0;
            for (int first : firsts) {
                if (first != EMPTY && remembered(first, now, span)) {
                    seconds[n++] = first;
                }
            }
            Arrays.sort(seconds);
            cutoff = seconds[remembered - keep];
            int newer = 0;
            for (int i = remembered - 1; i >= 0 && seconds[i] > cutoff; i--) {
                newer++;
            }
            tiesKept = keep - newer;
        }
        RememberedIds rebuilt = new RememberedIds(capacityFor(Math.min(remembered, keep) + 1));
        for (int slot = 0; slot < firsts.length; slot++) {
            int first = firsts[slot];
            if (first == EMPTY || !remembered(first, now, span) || first < cutoff || first == cutoff && tiesKept-- <= 0) {
                continue;
            }
            rebuilt.restore(key(slot), first, now, span);
        }
        forgotten += remembered - rebuilt.used;
        high = rebuilt.high;
        low = rebuilt.low;
        firsts = rebuilt.firsts;
        texts = rebuilt.texts;
        slots = rebuilt.slots;
        used = rebuilt.used;
    }

    /** A power of two at which {@code ids} ids fill the table to at most a half. */
    private static int capacityFor(int ids) {
        int capacity = MIN_CAPACITY;
        while (capacity < ids * 2L) {
            capacity <<= 1;
        }
        return capacity;
    }

    /** The longest run of slots that hold an id: the most slots a lookup can probe (for tests). */
    int longestRun() {
        int longest = 0;
        int run = 0;
        for (int pass = 0; pass < 2; pass++) { // twice round: a run may wrap from the last slot to the first
            for (int first : firsts) {
                run = first == EMPTY ? 0 : run + 1;
                longest = Math.max(longest, Math.min(run, firsts.length));
            }
        }
        return longest;
    }

    @Override
    public String toString() {
        return "RememberedIds[" + size() + " of " + firsts.length + " slots]";
    }
}
