package dev.pageviews.edge.produce;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Event ids are UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. They sort by
 * receive time, which helps when the archive is checked for loss and duplicates, and cost no lock:
 * {@link UUID#randomUUID()} would serialise the event loops on one {@code SecureRandom}. Uniqueness needs
 * no cryptographic randomness: 74 random bits per millisecond make a collision practically impossible.
 */
public final class EventIds {

    private EventIds() {}

    public static String next(long epochMillis) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (epochMillis << 16) | 0x7000L | (random.nextInt() & 0x0fffL);
        long low = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
