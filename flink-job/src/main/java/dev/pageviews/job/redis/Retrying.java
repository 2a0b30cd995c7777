package dev.pageviews.job.redis;

import java.io.IOException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Retries Redis calls that failed for want of a connection, with exponential backoff. When Redis stays away
 * longer, the call fails with an IOException: Flink then restarts the job from its last checkpoint (with its
 * own backoff), and the pending commits are retried from there, idempotently.
 */
final class Retrying {

    private static final Logger LOG = LoggerFactory.getLogger(Retrying.class);
    static final int ATTEMPTS = 4;
    private static final long FIRST_BACKOFF_MILLIS = 200;

    private Retrying() {}

    static <T> T call(String what, String redis, Supplier<T> call) throws IOException, InterruptedException {
        long backoff = FIRST_BACKOFF_MILLIS;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (JedisConnectionException e) {
                if (attempt == ATTEMPTS) {
                    throw new IOException(what + " failed: Redis at " + redis + " unreachable after " + ATTEMPTS
                            + " attempts (" + e.getMessage() + "); check that Redis is up and --redis points at it. "
                            + "The job restarts from its last checkpoint and retries.", e);
                }
                LOG.warn("{}: Redis at {} unreachable (attempt {} of {}): {}; retrying in {} ms",
                        what, redis, attempt, ATTEMPTS, e.getMessage(), backoff);
                Thread.sleep(backoff);
                backoff *= 3;
            }
        }
    }
}
