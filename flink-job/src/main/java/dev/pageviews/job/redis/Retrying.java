package dev.pageviews.job.redis;

import java.io.IOException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Runs a Redis call; a failure that may pass by itself ({@link RedisErrors.Kind#TRANSIENT}: Redis unreachable, an
 * OOM or READONLY reply, ...) is retried a few times with backoff. When it does not pass, or needs a person (a bad
 * field, a wrong password), the call fails with an IOException naming the Redis error and the fix: the task then
 * fails, Flink restarts the job from its last checkpoint with its own backoff, and the pending commits are tried
 * again from there, idempotently, for as long as it takes. The task thread is blocked for at most about 2.6 s
 * here; Flink's restart backoff (up to 30 s) does the long waiting.
 */
final class Retrying {

    private static final Logger LOG = LoggerFactory.getLogger(Retrying.class);
    static final int ATTEMPTS = 4;
    private static final long FIRST_BACKOFF_MILLIS = 200;

    private Retrying() {}

    static <T> T call(String what, RedisSinkSettings settings, Supplier<T> call) throws IOException, InterruptedException {
        String redis = settings.redis().toString();
        long backoff = FIRST_BACKOFF_MILLIS;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (JedisException e) {
                String advice = RedisErrors.advice(e, settings.hashKey(), redis);
                boolean transientError = RedisErrors.kind(e) == RedisErrors.Kind.TRANSIENT;
                if (!transientError || attempt == ATTEMPTS) {
                    throw new IOException(what + " failed: Redis at " + redis + " answered \"" + e.getMessage() + "\""
                            + (transientError ? " " + ATTEMPTS + " times" : "") + ". " + advice
                            + ". The job restarts from its last checkpoint and tries again; nothing is lost or counted twice.", e);
                }
                LOG.warn("{}: Redis at {} answered \"{}\" (attempt {} of {}); retrying in {} ms. {}",
                        what, redis, e.getMessage(), attempt, ATTEMPTS, backoff, advice);
                Thread.sleep(backoff);
                backoff *= 3;
            }
        }
    }
}
