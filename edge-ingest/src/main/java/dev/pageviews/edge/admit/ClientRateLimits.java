package dev.pageviews.edge.admit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * The per-client rate limit: a token bucket per client ({@link ClientAddress}) that holds {@code burst} events and
 * refills at {@code perSecond}; a request takes a token per event it carries, all or none (Bucket4j's local buckets,
 * lock-free).
 *
 * <p>The buckets live in a table of at most {@code maxClients} (Caffeine). A bucket not used for as long as it takes to
 * refill completely is dropped: a new one would start full too, so forgetting it changes nothing. When more clients
 * than the table holds are active within that time, Caffeine evicts the ones it judges least likely to return (its
 * W-TinyLFU policy), and such a client's next request starts a full bucket again: so one client can gain at most one
 * burst per eviction, while the table, and the memory it takes, stays bounded. Evictions are counted
 * ({@link #evictions()}).
 */
public final class ClientRateLimits {

    private final long perSecond;
    private final long burst;
    private final TimeMeter time;
    private final Cache<String, Bucket> buckets;
    private final LongAdder evictions = new LongAdder();

    public ClientRateLimits(long perSecond, long burst, int maxClients) {
        this(perSecond, burst, maxClients, TimeMeter.SYSTEM_NANOTIME);
    }

    /** {@code time}: the clock of the buckets and of the table's expiry (a test's own). */
    ClientRateLimits(long perSecond, long burst, int maxClients, TimeMeter time) {
        if (perSecond < 1 || burst < 1 || maxClients < 1) {
            throw new IllegalArgumentException("rate, burst and clients must be positive");
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.time = time;
        Ticker ticker = time::currentTimeNanos;
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maxClients)
                .expireAfterAccess(Duration.ofNanos(Math.max(1, burst * 1_000_000_000L / perSecond)))
                .ticker(ticker)
                .executor(Runnable::run) // maintenance on the calling thread: no pool to stop
                .removalListener((String key, Bucket bucket, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE) {
                        evictions.increment();
                    }
                })
                .build();
    }

    /** What a request may do: go on, or wait this long before sending it again. */
    public record Decision(boolean allowed, long nanosToWait) {
        static final Decision ALLOWED = new Decision(true, 0);

        /** The whole seconds to send as {@code Retry-After}: at least 1. */
        public long retryAfterSeconds() {
            return Math.max(1, (nanosToWait + 999_999_999L) / 1_000_000_000L);
        }
    }

    /** Takes {@code events} tokens from {@code client}'s bucket, or none when it holds fewer. */
    public Decision take(String client, int events) {
        Bucket bucket = buckets.get(client, c -> Bucket.builder()
                .addLimit(limit -> limit.capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)))
                .withCustomTimePrecision(time)
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(Math.min(events, burst));
        return probe.isConsumed() ? Decision.ALLOWED : new Decision(false, probe.getNanosToWaitForRefill());
    }

    /** Clients with a bucket now (an estimate, as Caffeine keeps it). */
    public long clients() {
        return buckets.estimatedSize();
    }

    /** Buckets dropped because the table was full. */
    public long evictions() {
        return evictions.sum();
    }

    /** Runs the table's pending maintenance (expiry, eviction) now; for tests and measurements. */
    void cleanUp() {
        buckets.cleanUp();
    }
}
