package dev.pageviews.local.chaos;

import dev.pageviews.stack.RedisServer;
import java.util.function.Supplier;
import java.time.Duration;
import redis.clients.jedis.Jedis;

/**
 * Probe views, each for a page of its own: sent until the edge answers 202, then waited for in Redis. How
 * long that takes after a fault ends is the fault's recovery time. Probes go into the ledger like the load; a
 * probe that gets no 202 is not retried (its sender has {@link ViewSender.Retries#NONE}): the next one is a new view.
 */
final class Probe {

    static final Duration TIMEOUT = Duration.ofSeconds(180);
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
            int n = sequence++;
            String page = "/chaos/probe/" + n;
            if (sender.single(new ViewSender.View("probe", page, Load.now(), "probe-" + n), true) != Ledger.Outcome.ACCEPTED) {
                Thread.sleep(250); // the edge is not taking views yet
                continue;
            }
            while (System.nanoTime() < deadline) {
                if ("1".equals(read(page))) {
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

    private String read(String page) {
        try (Jedis jedis = redis.get().client()) {
            return jedis.hget(hashKey, page);
        } catch (RuntimeException unreachable) {
            return null; // asked again shortly
        }
    }
}
