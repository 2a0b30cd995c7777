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
 * @param staleCommits what to do with a committable older than the marker expiry (its marker may be gone)
 */
public record RedisSinkSettings(RedisUri redis, String hashKey, Duration markerTtl, Duration timeout, int maxFieldsPerCommit,
        StaleCommits staleCommits) implements Serializable {

    /**
     * A committable restored from a checkpoint older than {@code markerTtl} may have been applied already, and its
     * marker may have expired since: Redis can no longer tell. The choice is the operator's.
     */
    public enum StaleCommits {
        /** Refuse: the job fails with a message that says what happened and which choice to make. */
        FAIL,
        /** Apply it (a marker still there still prevents a double count): right for the last checkpoint of a crash. */
        APPLY,
        /** Drop it: right for the savepoint of a stop, which applies the savepoint's commits before the job ends. */
        SKIP
    }

    public RedisSinkSettings(RedisUri redis, String hashKey, Duration markerTtl, Duration timeout, int maxFieldsPerCommit) {
        this(redis, hashKey, markerTtl, timeout, maxFieldsPerCommit, StaleCommits.FAIL);
    }

    public static final int DEFAULT_MAX_FIELDS_PER_COMMIT = 2000;

    public RedisSinkSettings {
        if (hashKey == null || hashKey.isEmpty()) {
            throw new IllegalArgumentException("the Redis hash key must not be empty");
        }
        if (markerTtl.toSeconds() < 1) {
            throw new IllegalArgumentException("the commit marker TTL must be at least 1 s (got " + markerTtl + ")");
        }
        if (staleCommits == null) {
            throw new IllegalArgumentException("staleCommits must be set");
        }
        if (maxFieldsPerCommit < 1) {
            throw new IllegalArgumentException("maxFieldsPerCommit must be at least 1");
        }
    }

    /**
     * How old a committable may be before its marker may have expired. A marker lives {@code markerTtl} from when it
     * was set, which is after the committable was created, so this is safe; the margin (a tenth, at most an hour)
     * covers clocks of Redis and the TaskManagers that disagree.
     */
    public Duration staleAfter() {
        Duration margin = markerTtl.dividedBy(10);
        return markerTtl.minus(margin.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : margin);
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
