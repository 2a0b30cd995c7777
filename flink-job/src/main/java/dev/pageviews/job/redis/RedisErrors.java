package dev.pageviews.job.redis;

import java.util.Locale;
import java.util.Set;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * What a failed Redis call means for a commit. Every failure is either retried or fails the job; none is ever
 * turned into "committable failed" (which Flink would forget). This is the table in flink-job/README.md.
 */
final class RedisErrors {

    /** What to do about a failed call. */
    enum Kind {
        /** Likely to pass by itself soon (connection lost, failover, memory freed): retry with backoff, then fail the job. */
        TRANSIENT,
        /** Only a person can fix it (a bad value in the hash, a wrong password): fail the job now, with the fix in the message. */
        NEEDS_OPERATOR
    }

    /** Error-reply codes that a retry can outlast (the first word of the reply). */
    private static final Set<String> TRANSIENT_CODES = Set.of(
            "OOM", // maxmemory reached with noeviction: writes pass again once memory is freed
            "READONLY", // connected to a replica, e.g. a demoted primary after a failover
            "CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "LOADING", "BUSY", "NOREPLICAS",
            "MOVED", "ASK", // a cluster slot moved, e.g. to a promoted replica: a new client finds its new owner
            "MISCONF"); // RDB/AOF cannot be written: Redis refuses writes until the disk is fixed

    /**
     * Replies after which no part of the commit was written: Redis refuses a script before it runs, or our script
     * refuses before its first write. Any other error reply leaves it unknown whether part of it was written.
     */
    private static final Set<String> NOTHING_WRITTEN_CODES = Set.of(
            "OOM", "READONLY", "CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "LOADING", "BUSY", "NOREPLICAS", "MOVED", "ASK",
            "MISCONF", "NOAUTH", "WRONGPASS", "NOPERM", "NOSCRIPT", "CROSSSLOT",
            "PAGEVIEWS_BADFIELD", "PAGEVIEWS_WRONGTYPE", "PAGEVIEWS_NOPERM", "PAGEVIEWS_EVICTION");

    /** Codes our increment script replies with when the hash holds something it must not add to. */
    static final String BAD_FIELD = "PAGEVIEWS_BADFIELD";
    static final String WRONG_TYPE = "PAGEVIEWS_WRONGTYPE";

    private RedisErrors() {}

    static Kind kind(RuntimeException e) {
        if (e instanceof IncrementScript.ReplicationShortfall || !(e instanceof JedisDataException)) {
            return Kind.TRANSIENT; // too few replicas yet; connection refused or reset, timeouts, redirections exhausted
        }
        return TRANSIENT_CODES.contains(code(e)) ? Kind.TRANSIENT : Kind.NEEDS_OPERATOR;
    }

    /**
     * What is known of the commit after {@code e}. An error reply we know is answered before any write; a lost
     * connection or a timeout may have come before or after the script ran, which is equally safe, as the script
     * applies all or nothing and the retry finds its marker; only an unexpected error reply leaves doubt.
     */
    static String whatWasApplied(RuntimeException e) {
        if (e instanceof IncrementScript.ReplicationShortfall) {
            return "the commit is applied on the primary but not yet on enough replicas to survive a failover; "
                    + "the retry finds its marker and waits for the replicas again";
        }
        if (!(e instanceof JedisDataException)) {
            return "the script applies a commit whole or not at all, and a retry skips it if it was applied";
        }
        return NOTHING_WRITTEN_CODES.contains(code(e)) ? "nothing of this commit was applied"
                : "an unexpected reply: whether part of the commit was applied is not known; compare the counts "
                        + "with the archive once the job runs again";
    }

    /** Whether after {@code e} a retry may be described as counting every view exactly once. */
    static boolean retryIsExact(RuntimeException e) {
        return !(e instanceof JedisDataException) || e instanceof JedisDataException && NOTHING_WRITTEN_CODES.contains(code(e));
    }

    /** The reply's error code, e.g. {@code OOM} for "OOM command not allowed when used memory > 'maxmemory'". */
    static String code(RuntimeException e) {
        String message = e.getMessage() == null ? "" : e.getMessage().trim();
        int space = message.indexOf(' ');
        return (space < 0 ? message : message.substring(0, space)).toUpperCase(Locale.ROOT);
    }

    /** What a person should do about {@code e}, for the log and the exception that fails the job. */
    static String advice(RuntimeException e, String hashKey, String redis) {
        if (e instanceof IncrementScript.ReplicationShortfall) {
            return "check that the replicas are up and connected (INFO replication), or lower --redis-wait-replicas";
        }
        if (!(e instanceof JedisDataException)) {
            return "check that Redis is up and that --redis (" + redis + ") points at it";
        }
        return switch (code(e)) {
            case "OOM" -> "Redis is at its maxmemory and evicts nothing: free memory or raise maxmemory "
                    + "(CONFIG SET maxmemory ...); commits resume by themselves";
            case "READONLY" -> "--redis (" + redis + ") reaches a read-only replica, e.g. after a failover: point it at the "
                    + "primary; commits resume once writes are accepted";
            case "MISCONF" -> "Redis cannot persist to disk and refuses writes: fix its disk (see its log)";
            case "CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "LOADING", "BUSY", "NOREPLICAS", "MOVED", "ASK" ->
                    "Redis is not ready for writes (a failover?); commits resume once it is";
            case IncrementScript.NO_PERMISSION -> "the Redis user in --redis lacks rights the commit needs (the script "
                    + "checks them all before its first write): grant them, e.g. " + RedisRights.aclSetUser("<user>", hashKey)
                    + " (flink-job README, 'The Redis user'); commits resume once they are granted";
            case IncrementScript.EVICTION -> "under that policy Redis may evict commit markers (volatile-*) or the "
                    + "counts (allkeys-*), and a recovery would then count views twice or lose them: set "
                    + "maxmemory-policy noeviction (CONFIG SET maxmemory-policy noeviction, and in redis.conf)";
            case "NOAUTH", "WRONGPASS", "NOPERM" -> "Redis does not accept the user or password in --redis, or the user "
                    + "may not run EVAL or touch the keys: restore them in Redis (" + RedisRights.aclSetUser("<user>", hashKey)
                    + "), or resubmit the job from a savepoint with the new credentials";
            case BAD_FIELD -> "a field of hash '" + hashKey + "' holds something that is not an integer count: set it to "
                    + "its count (HSET) or delete it (HDEL); the commit is applied once the field is fixed";
            case WRONG_TYPE -> "a key the commit writes (named in the error: '" + hashKey + "' or one of its read-side keys) "
                    + "holds something else: rename or delete it, or choose another --redis-key";
            case "WRONGTYPE" -> "key '" + hashKey + "' is not a hash: rename or delete it, or choose another --redis-key";
            default -> "see the Redis error and Redis's log";
        };
    }
}
