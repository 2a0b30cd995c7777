package dev.pageviews.job.bench;

import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Keys a client could choose to collide in the hash structures on a view's way, and random keys of the same shape
 * to compare them with ({@code ./pageviews bench job only=keys}).
 * <ul>
 *   <li>{@code String.hashCode} collisions for free: {@code "Aa"} and {@code "BB"} hash alike, so every string of
 *       {@code k} such blocks has one hash code (2<sup>k</sup> strings).
 *   <li>Event ids whose {@code DedupKey.spread()} is one value: for a UUID, {@code high * G ^ low} is inverted (any
 *       {@code high}, then the {@code low} that gives the chosen value); for any other id, a {@code String.hashCode}
 *       collision.
 *   <li>Strings that Redis's Lua (5.1) puts in one bucket of its string table.
 * </ul>
 */
final class AdversarialKeys {

    /** The multiplier of {@code DedupKey.spread()} for UUIDs. */
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private AdversarialKeys() {}

    /** {@code 2^blocks} page paths {@code /c/<blocks of Aa or BB>}, all with one {@code String.hashCode}. */
    static String[] collidingPages(int blocks) {
        String[] pages = new String[1 << blocks];
        for (int i = 0; i < pages.length; i++) {
            pages[i] = "/c/" + blocks(i, blocks);
        }
        return pages;
    }

    /** As many page paths of the same length and alphabet, random. */
    static String[] randomPages(int blocks, SplittableRandom random) {
        String[] pages = new String[1 << blocks];
        for (int i = 0; i < pages.length; i++) {
            pages[i] = "/c/" + letters(2 * blocks, random);
        }
        return pages;
    }

    /** The {@code i}-th text event id of {@code blocks} blocks: all of them share one {@code String.hashCode}. */
    static String collidingTextId(long i, int blocks) {
        return blocks(i, blocks);
    }

    /** A random UUID whose {@code DedupKey.spread()} is the same as every other one this returns. */
    static String collidingUuid(SplittableRandom random) {
        long high = random.nextLong();
        long low = 0x5DEECE66DL ^ high * GOLDEN;
        return new UUID(high, low).toString();
    }

    private static String blocks(long i, int blocks) {
        StringBuilder text = new StringBuilder(2 * blocks);
        for (int b = 0; b < blocks; b++) {
            text.append((i >>> b & 1) == 0 ? "Aa" : "BB");
        }
        return text.toString();
    }

    private static String letters(int length, SplittableRandom random) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(LETTERS.charAt(random.nextInt(LETTERS.length())));
        }
        return text.toString();
    }

    /** {@code n} random printable strings of {@code length} bytes starting with {@code /}, like page keys. */
    static String[] randomStrings(int n, int length, SplittableRandom random) {
        String[] strings = new String[n];
        for (int i = 0; i < n; i++) {
            strings[i] = "/" + printable(length - 1, random);
        }
        return strings;
    }

    /**
     * {@code n} strings that Lua 5.1 as released would hash alike: it hashes only every {@code (length >> 5) + 1}-th
     * character of a long string, so strings that differ elsewhere collide. (Redis patches its Lua to hash every
     * character; this shows whether the server in use does.)
     */
    static String[] luaSampledCollisions(int n, int length, SplittableRandom random) {
        int step = (length >> 5) + 1;
        boolean[] sampled = new boolean[length];
        for (int l1 = length; l1 >= step; l1 -= step) {
            sampled[l1 - 1] = true;
        }
        char[] base = ("/" + printable(length - 1, random)).toCharArray();
        String[] strings = new String[n];
        for (int i = 0; i < n; i++) {
            char[] text = base.clone();
            for (int p = 1; p < length; p++) {
                if (!sampled[p]) {
                    text[p] = (char) (' ' + 1 + random.nextInt(94));
                }
            }
            strings[i] = new String(text);
        }
        return strings;
    }

    /**
     * {@code n} printable strings of {@code length} bytes starting with {@code /} (so: valid page keys) whose hash in
     * Redis's Lua (every character hashed, seeded by the length only) has the same low {@code bits} bits, so they
     * share one bucket of its string table while it has up to {@code 2^bits} buckets. Found by trying the two
     * characters after the {@code /} (Lua hashes from the end, so those come last) over a random rest.
     */
    static String[] luaBucketCollisions(int n, int length, int bits, SplittableRandom random) {
        int mask = (1 << bits) - 1;
        int target = -1;
        String[] strings = new String[n];
        int found = 0;
        while (found < n) {
            char[] text = ("/??" + printable(length - 3, random)).toCharArray();
            int h = length;
            for (int l1 = length; l1 > 3; l1--) {
                h = luaStep(h, text[l1 - 1]);
            }
            search:
            for (char c2 = '!'; c2 <= '~'; c2++) {
                int h2 = luaStep(h, c2);
                for (char c1 = '!'; c1 <= '~'; c1++) {
                    int h0 = luaStep(luaStep(h2, c1), '/');
                    if (target < 0) {
                        target = h0 & mask;
                    }
                    if ((h0 & mask) == target) {
                        text[1] = c1;
                        text[2] = c2;
                        strings[found++] = new String(text);
                        break search;
                    }
                }
            }
        }
        return strings;
    }

    /** Lua's string hash for {@code text} as Redis computes it (every character, from the last to the first). */
    static int luaHash(String text) {
        int h = text.length();
        for (int l1 = text.length(); l1 >= 1; l1--) {
            h = luaStep(h, text.charAt(l1 - 1));
        }
        return h;
    }

    private static int luaStep(int h, char c) {
        return h ^ ((h << 5) + (h >>> 2) + (c & 0xFF));
    }

    private static String printable(int length, SplittableRandom random) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) ('!' + random.nextInt(94)));
        }
        return text.toString();
    }
}
