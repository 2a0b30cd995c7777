package dev.pageviews.chaos;

import dev.pageviews.stack.RedisServer;
import java.util.function.Supplier;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.Jedis;

/**
 * Faults that make Redis answer commands with errors while it stays up: out of memory, a count that is not an
 * integer, a right taken from the job's user. Each is done to the primary of the moment (ACLs and CONFIG are not
 * replicated) and undone exactly, so the counts stay comparable with what was sent.
 */
final class RedisFaults {

    static final String BAD_VALUE = "chaos-not-a-number";

    /**
     * Reads the field and makes it bad in one step, so no commit can slip between: returns the old value, or
     * false (nil) when the field did not exist yet.
     */
    private static final String CORRUPT = String.join("\n",
            "local old = redis.call('HGET', KEYS[1], ARGV[1])",
            "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])",
            "return old");

    /**
     * Puts the recorded value back if the field still holds the bad value. While it was bad no HINCRBY could
     * change it, so the recorded value is still its true count.
     */
    private static final String RESTORE = String.join("\n",
            "if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end",
            "if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end",
            "return 1");

    private final Supplier<RedisServer> redis;
    private final String hashKey;

    RedisFaults(Supplier<RedisServer> redis, String hashKey) {
        this.redis = redis;
        this.hashKey = hashKey;
    }

    /** Every write is refused with OOM for {@code duration}, then the old limit and policy are restored. */
    void outOfMemory(Duration duration) throws InterruptedException {
        Map<String, String> memory;
        Map<String, String> policy;
        try (Jedis jedis = redis.get().client()) {
            memory = jedis.configGet("maxmemory");
            policy = jedis.configGet("maxmemory-policy");
            jedis.configSet("maxmemory-policy", "noeviction");
            jedis.configSet("maxmemory", "1");
        }
        try {
            Thread.sleep(duration.toMillis());
        } finally {
            try (Jedis jedis = redis.get().client()) {
                jedis.configSet("maxmemory", memory.getOrDefault("maxmemory", "0"));
                jedis.configSet("maxmemory-policy", policy.getOrDefault("maxmemory-policy", "noeviction"));
            }
        }
    }

    /** {@code field} holds a non-integer for {@code duration}; returns its value before, restored after. */
    String badField(String field, Duration duration) throws InterruptedException {
        Object old;
        try (Jedis jedis = redis.get().client()) {
            old = jedis.eval(CORRUPT, List.of(hashKey), List.of(field, BAD_VALUE));
        }
        String recorded = old instanceof String s ? s : "";
        try {
            Thread.sleep(duration.toMillis());
        } finally {
            try (Jedis jedis = redis.get().client()) {
                Object restored = jedis.eval(RESTORE, List.of(hashKey), List.of(field, BAD_VALUE, recorded));
                if (!Long.valueOf(1).equals(restored)) {
                    throw new IllegalStateException("field " + field + " of " + hashKey + " no longer held " + BAD_VALUE
                            + " when restoring it to '" + recorded + "': something wrote to it while it was bad");
                }
            }
        }
        return recorded.isEmpty() ? "(absent)" : recorded;
    }

    /**
     * The job's Redis user loses {@code right} (e.g. {@code set}) for {@code duration}, then gets it back: a least-privilege
     * mistake, corrected. Commits must refuse before writing anything, and resume exactly once it is back.
     */
    void revoke(String user, String right, Duration duration) throws InterruptedException {
        try (Jedis jedis = redis.get().client()) {
            jedis.aclSetUser(user, "-" + right);
        }
        try {
            Thread.sleep(duration.toMillis());
        } finally {
            try (Jedis jedis = redis.get().client()) {
                jedis.aclSetUser(user, "+" + right);
            }
        }
    }
}
