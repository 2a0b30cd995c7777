package dev.pageviews.job.redis;

import java.io.IOException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Runs a Redis call; a failure that may pass by itself ({@link RedisErrors.Kind#TRANSIENT}: Redis unreachable, an
 * OOM or READONLY reply, too few replicas acknowledging, ...) is retried a few times with backoff. When it does not
 * pass, or needs a person (a bad field, a missing right, an eviction policy, a TLS certificate refused: with TLS 1.3
 * that may show only at the first command, not when the client connects), the call fails with an IOException
 * naming the Redis error, what is known of the commit and the fix: the task then fails, Flink restarts the job from
 * its last checkpoint with its own backoff, and the pending commits are tried again from there, idempotently, for as
 * long as it takes. The task thread is blocked for at most about 2.6 s here; Flink's restart backoff (up to 30 s)
 * does the long waiting.
 *
 * <p>Not {@code CommitRequest.retryLater()}: in Flink 2.2 the committer operator calls {@code commit} again at once, in
 * a loop, up to {@code sink.committer.retries} times (10 by default) and then fails with "Failed to commit ... after
 * ... retries". With no pause between attempts, a Redis failover or restart, which takes seconds, would use up those
 * retries in milliseconds; here each retry waits longer than the one before.
 */
final class Retrying {

    private static final Logger LOG = LoggerFactory.getLogger(Retrying.class);
    static final int ATTEMPTS = 4;
    private static final long FIRST_BACKOFF_MILLIS = 200;

    /** Called before a retry, e.g. to drop a client whose view of a cluster may be stale. */
    interface BeforeRetry {
        void run();
    }

    private Retrying() {}

    /** A call that writes counts: the failure says what is known of them. */
    static <T> T call(String what, RedisSinkSettings settings, Supplier<T> call) throws IOException, InterruptedException {
        return call(what, settings, call, () -> {});
    }

    static <T> T call(String what, RedisSinkSettings settings, Supplier<T> call, BeforeRetry beforeRetry)
            throws IOException, InterruptedException {
        return run(what, settings, call, beforeRetry, true);
    }

    /** A call that only reads. */
    static <T> T read(String what, RedisSinkSettings settings, Supplier<T> call) throws IOException, InterruptedException {
        return run(what, settings, call, () -> {}, false);
    }

    private static <T> T run(String what, RedisSinkSettings settings, Supplier<T> call, BeforeRetry beforeRetry, boolean writes)
            throws IOException, InterruptedException {
        String redis = settings.redis().toString();
        long backoff = FIRST_BACKOFF_MILLIS;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (JedisException | IncrementScript.ReplicationShortfall e) {
                String advice = RedisErrors.advice(e, settings.hashKey(), redis);
                // a TLS certificate refused (or a cluster client's missing right) does not pass by itself: fail at
                // once, naming the setting to fix
                RuntimeException explained = e instanceof JedisException jedis
                        ? RedisConnections.explained(jedis, settings) : e;
                boolean transientError = explained == e && RedisErrors.kind(e) == RedisErrors.Kind.TRANSIENT;
                if (!transientError || attempt == ATTEMPTS) {
                    String answer = explained != e ? explained.getMessage() : "Redis at " + redis + " answered \""
                            + e.getMessage() + "\"" + (transientError ? " " + ATTEMPTS + " times" : "") + ". " + advice;
                    throw new IOException(what + " failed: " + answer + ". "
                            + (writes ? capitalized(RedisErrors.whatWasApplied(e)) + ". The job restarts from its last "
                                    + "checkpoint and commits again" + (RedisErrors.retryIsExact(e) ? ", once" : "") + "."
                                    : "The job restarts and checks again."), e);
                }
                LOG.warn("{}: Redis at {} answered \"{}\" (attempt {} of {}); retrying in {} ms. {}",
                        what, redis, e.getMessage(), attempt, ATTEMPTS, backoff, advice);
                beforeRetry.run();
                Thread.sleep(backoff);
                backoff *= 3;
            }
        }
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
