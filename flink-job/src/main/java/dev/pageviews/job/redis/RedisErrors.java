package dev.pageviews.job.redis;

import java.util.Locale;
import java.util.Set;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

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
            "MISCONF"); // RDB/AOF cannot be written: Redis refuses writes until the disk is fixed

    /** Codes our increment script replies with when the hash holds something it must not add to. */
    static final String BAD_FIELD = "PAGEVIEWS_BADFIELD";
    static final String WRONG_TYPE = "PAGEVIEWS_WRONGTYPE";

    private RedisErrors() {}

    static Kind kind(JedisException e) {
        if (!(e instanceof JedisDataException)) {
            return Kind.TRANSIENT; // connection refused or reset, timeouts, cluster redirections exhausted
        }
        return TRANSIENT_CODES.contains(code(e)) ? Kind.TRANSIENT : Kind.NEEDS_OPERATOR;
    }

    /** The reply's error code, e.g. {@code OOM} for "OOM command not allowed when used memory > 'maxmemory'". */
    static String code(JedisException e) {
        String message = e.getMessage() == null ? "" : e.getMessage().trim();
        int space = message.indexOf(' ');
        return (space < 0 ? message : message.substring(0, space)).toUpperCase(Locale.ROOT);
    }

    /** What a person should do about {@code e}, for the log and the exception that fails the job. */
    static String advice(JedisException e, String hashKey, String redis) {
        if (!(e instanceof JedisDataException)) {
            return "check that Redis is up and that --redis (" + redis + ") points at it";
        }
        return switch (code(e)) {
            case "OOM" -> "Redis is at its maxmemory and evicts nothing: free memory or raise maxmemory "
                    + "(CONFIG SET maxmemory ...); commits resume by themselves";
            case "READONLY" -> "--redis (" + redis + ") reaches a read-only replica, e.g. after a failover: point it at the "
                    + "primary; commits resume once writes are accepted";
            case "MISCONF" -> "Redis cannot persist to disk and refuses writes: fix its disk (see its log)";
            case "CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "LOADING", "BUSY", "NOREPLICAS" ->
                    "Redis is not ready for writes; commits resume once it is";
            case "NOAUTH", "WRONGPASS", "NOPERM" -> "Redis does not accept the user or password in --redis (or the user "
                    + "lacks EVAL/HINCRBY/SET rights): restore them in Redis, or resubmit the job from a savepoint "
                    + "with the new credentials";
            case BAD_FIELD -> "a field of hash '" + hashKey + "' holds something that is not an integer count: set it to "
                    + "its count (HSET) or delete it (HDEL); nothing of this commit was applied, and it is applied once "
                    + "the field is fixed";
            case WRONG_TYPE, "WRONGTYPE" -> "key '" + hashKey + "' is not a hash: rename or delete it, or choose "
                    + "another --redis-key; nothing of this commit was applied";
            default -> "see the Redis error; nothing of this commit was applied";
        };
    }
}
