package dev.pageviews.job.hashing;

import java.io.Serializable;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * SipHash-2-4 (Aumasson and Bernstein, 2012) under a 128-bit secret key: a hash whose collisions cannot be chosen by
 * someone who does not know the key, cheap enough for every view. Where a client picks the strings that a hash table
 * is indexed by (page URLs, event ids), a table indexed by a keyed hash costs the same per entry whatever the client
 * picks, while {@code String.hashCode} and any unkeyed mix of it can be made to collide at will (Redis hashes its
 * keys with SipHash for the same reason). A few dozen lines, checked against the reference vectors, rather than a
 * dependency for one function.
 *
 * <p>Strings are hashed as their UTF-16 code units, little-endian (the bytes of {@code UTF_16LE}), without encoding
 * them first.
 */
public final class SipHash implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * New keys are this hash of a counter: SipHash is a pseudorandom function, so without this one key, drawn from
     * {@link SecureRandom} once per JVM, its outputs can be neither told from random nor predicted. A key then costs two
     * hashes, where a draw from the OS's source (NativePRNG, behind one lock) cost several microseconds: each table of
     * remembered ids has a key of its own, and a job makes tens of thousands of them when it starts or restores.
     */
    private static final SipHash KEY_SOURCE = new SipHash(RANDOM.nextLong(), RANDOM.nextLong());
    private static final AtomicLong KEYS_MADE = new AtomicLong();

    private final long k0;
    private final long k1;

    public SipHash(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** A hash under a new secret key, one no other call returns ({@link #KEY_SOURCE}). */
    public static SipHash withRandomKey() {
        long n = KEYS_MADE.getAndIncrement();
        return new SipHash(KEY_SOURCE.hash(n, 0), KEY_SOURCE.hash(n, 1));
    }

    /** The hash of {@code bytes}. */
    public long hash(byte[] bytes) {
        State s = new State(k0, k1);
        int whole = bytes.length & ~7;
        for (int i = 0; i < whole; i += 8) {
            long m = 0;
            for (int b = 7; b >= 0; b--) {
                m = m << 8 | (bytes[i + b] & 0xFFL);
            }
            s.compress(m);
        }
        long last = (long) bytes.length << 56;
        for (int b = bytes.length - whole - 1; b >= 0; b--) {
            last |= (bytes[whole + b] & 0xFFL) << (8 * b);
        }
        return s.finish(last);
    }

    /** The hash of {@code text}'s UTF-16 code units, little-endian: the same as of its {@code UTF_16LE} bytes. */
    public long hash(CharSequence text) {
        State s = new State(k0, k1);
        int length = text.length();
        int whole = length & ~3;
        for (int i = 0; i < whole; i += 4) {
            s.compress(text.charAt(i) | (long) text.charAt(i + 1) << 16 | (long) text.charAt(i + 2) << 32
                    | (long) text.charAt(i + 3) << 48);
        }
        long last = (long) (2 * length) << 56;
        for (int c = length - whole - 1; c >= 0; c--) {
            last |= (long) text.charAt(whole + c) << (16 * c);
        }
        return s.finish(last);
    }

    /** The hash of two longs: the same as of their 16 bytes, each little-endian, {@code a} first. */
    public long hash(long a, long b) {
        State s = new State(k0, k1);
        s.compress(a);
        s.compress(b);
        return s.finish(16L << 56);
    }

    private static final class State {
        private long v0;
        private long v1;
        private long v2;
        private long v3;

        State(long k0, long k1) {
            v0 = k0 ^ 0x736f6d6570736575L;
            v1 = k1 ^ 0x646f72616e646f6dL;
            v2 = k0 ^ 0x6c7967656e657261L;
            v3 = k1 ^ 0x7465646279746573L;
        }

        void compress(long m) {
            v3 ^= m;
            round();
            round();
            v0 ^= m;
        }

        long finish(long last) {
            compress(last);
            v2 ^= 0xFF;
            round();
            round();
            round();
            round();
            return v0 ^ v1 ^ v2 ^ v3;
        }

        private void round() {
            v0 += v1;
            v1 = Long.rotateLeft(v1, 13);
            v1 ^= v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16);
            v3 ^= v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21);
            v3 ^= v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17);
            v1 ^= v2;
            v2 = Long.rotateLeft(v2, 32);
        }
    }
}
