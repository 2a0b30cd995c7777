package dev.pageviews.job.redis;

import dev.pageviews.job.RedisUri;
import java.io.Serializable;
import java.time.Duration;

/**
 * How the sink reaches Redis and what it writes.
 *
 * @param redis where Redis is
 * @param hashKey the hash holding the counts ({@code HINCRBY hashKey page_url n})
 * @param markerTtl how long an applied commit is remembered; longer than any recovery
 * @param timeout connect and read timeout
 * @param maxFieldsPerCommit pages per committable: each committable is one Lua call, so this bounds how
 *     long one call may block Redis
 */
public record RedisSinkSettings(RedisUri redis, String hashKey, Duration markerTtl, Duration timeout, int maxFieldsPerCommit)
        implements Serializable {

    public static final int DEFAULT_MAX_FIELDS_PER_COMMIT = 2000;

    public RedisSinkSettings {
        if (hashKey == null || hashKey.isEmpty()) {
            throw new IllegalArgumentException("the Redis hash key must not be empty");
        }
        if (markerTtl.toSeconds() < 1) {
            throw new IllegalArgumentException("the commit marker TTL must be at least 1 s (got " + markerTtl + ")");
        }
        if (maxFieldsPerCommit < 1) {
            throw new IllegalArgumentException("maxFieldsPerCommit must be at least 1");
        }
    }

    /**
     * The key marking commit {@code id} as applied. It shares the hash key's hash slot (same hash tag), so
     * the Lua script touches one slot, as Redis Cluster requires.
     */
    public String markerKey(String id) {
        int open = hashKey.indexOf('{');
        int close = open < 0 ? -1 : hashKey.indexOf('}', open + 1);
        boolean hasHashTag = open >= 0 && close > open + 1;
        String tagged = hasHashTag ? hashKey : "{" + hashKey + "}";
        return tagged + ":commit:" + id;
    }
}
