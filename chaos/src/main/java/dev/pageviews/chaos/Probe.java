package dev.pageviews.chaos;

import dev.pageviews.stack.RedisServer;
import java.util.function.Supplier;
import java.time.Duration;
import redis.clients.jedis.Jedis;

/**
 * Probe views, one at a time, all for one page ({@link #PAGE}): each is sent until the edge answers 202, then waited
 * for in Redis, as the page's count passing what it was before. How long that takes after a fault ends is the fault's
 * recovery time. One page, not one per probe: once the counts hash holds its page budget (the load names a new page
 * with every request), a new page is counted under {@code (other)} and could never be seen by its name. Probes go
 * into the ledger like the load; a probe that gets no 202 is not retried (its sender has
 * {@link ViewSender.Retries#NONE}): the next one is a new view.
 */
final class Probe {

    static final Duration TIMEOUT = Duration.ofSeconds(180);
    static final String PAGE = "/chaos/probe";
    private static final long DAY = 86_400;

    private final ViewSender sender;
    private final Supplier<RedisServer> redis;
    private final String hashKey;
    private int sequence;

    Probe(ViewSender sender, Supplier<RedisServer> redis, String hashKey) {
        this.sender = sender;
        this.redis = redis;
        this.hashKey = hashKey;
    }

    /** Time from {@code sinceNanos} until a new probe view is counted; null if not within {@link #TIMEOUT}. */
    Duration awaitCounted(long sinceNanos) throws InterruptedException {
        long deadline = sinceNanos + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            long before = count();
            if (before < 0) {
                Thread.sleep(250); // Redis is not answering yet
                continue;
            }
            int n = sequence++;
            if (sender.single(new ViewSender.View("probe", PAGE, Load.now(), "probe-" + n), true) != Ledger.Outcome.ACCEPTED) {
                Thread.sleep(250); // the edge is not taking views yet
                continue;
            }
            while (System.nanoTime() < deadline) {
                if (count() > before) {
                    return Duration.ofNanos(System.nanoTime() - sinceNanos);
                }
                Thread.sleep(100);
            }
        }
        return null;
    }

    /**
     * Sends one view a day ahead: whether the edge refuses it (400), as a build with its future bound does.
     * Either answer is a valid outcome for it; it is recorded without the obligation to be counted.
     */
    boolean dayAheadRefused() {
        return sender.single(new ViewSender.View("probe", "/chaos/day-ahead/check", Load.now() + DAY, "probe-day-ahead"), false)
                == Ledger.Outcome.REJECTED;
    }

    /** The probe page's count; 0 before the first; -1 when Redis does not answer. */
    private long count() {
        try (Jedis jedis = redis.get().client()) {
            String count = jedis.hget(hashKey, PAGE);
            return count == null ? 0 : Long.parseLong(count);
        } catch (RuntimeException unreachableOrBad) {
            return -1; // asked again shortly (the bad-field fault never touches this page)
        }
    }
}
