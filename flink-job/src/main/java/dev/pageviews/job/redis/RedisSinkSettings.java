package dev.pageviews.job.redis;

import dev.pageviews.settings.RedisTls;
import dev.pageviews.settings.RedisUri;
import dev.pageviews.settings.SentinelCredentials;
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
 * @param commit the limits and safety rules of each commit ({@link CommitRules})
 * @param tls the truststore and client keystore for a {@code rediss...} URI
 * @param sentinelCredentials what the sentinels of a {@code redis-sentinel} URI want, apart from the data nodes'
 */
public record RedisSinkSettings(RedisUri redis, String hashKey, Duration markerTtl, Duration timeout, int maxFieldsPerCommit,
        StaleCommits staleCommits, CommitRules commit, RedisTls tls, SentinelCredentials sentinelCredentials, Stats stats)
        implements Serializable {

    /** The member of every bucket that holds the site's total (of views, or of visitors). */
    public static final String TOTAL = "(total)";

    /**
     * What the commit writes for the read service besides the counts hash: time buckets, top pages and visitors
     * (flink-job/README.md, "The read side in Redis").
     *
     * @param enabled false: only the counts hash
     * @param zone the reporting time zone of hour and day buckets
     * @param minuteRetention how long a minute bucket is kept after it ends (likewise hour and day buckets)
     * @param visitorEstimateRetention how long the HyperLogLogs of a day's visitors are kept after the day
     */
    public record Stats(boolean enabled, java.time.ZoneId zone, Duration minuteRetention, Duration hourRetention,
            Duration dayRetention, Duration visitorEstimateRetention) implements Serializable {

        public static final Stats DEFAULTS = new Stats(true, java.time.ZoneOffset.UTC, Duration.ofDays(2), Duration.ofDays(90),
                Duration.ofDays(730), Duration.ofDays(90));

        public Stats off() {
            return new Stats(false, zone, minuteRetention, hourRetention, dayRetention, visitorEstimateRetention);
        }
    }

    public RedisSinkSettings(RedisUri redis, String hashKey, Duration markerTtl, Duration timeout, int maxFieldsPerCommit,
            StaleCommits staleCommits, CommitRules commit, RedisTls tls, SentinelCredentials sentinelCredentials) {
        this(redis, hashKey, markerTtl, timeout, maxFieldsPerCommit, staleCommits, commit, tls, sentinelCredentials,
                Stats.DEFAULTS);
    }

    /** The name of the field that counts the views of pages beyond {@link CommitRules#maxPages()} (as GA4 names its row). */
    public static final String OTHER_PAGES = "(other)";

    /**
     * @param maxPages how many page fields the counts hash may hold; views of further pages are added to
     *     {@link #OTHER_PAGES}, so one client inventing URLs cannot fill Redis
     * @param maxPagesPerCheckpoint how many distinct pages one writer subtask buffers between two checkpoints; views of
     *     further pages are buffered under {@link #OTHER_PAGES}, so the buffer is bounded whatever the checkpoints do
     * @param waitReplicas how many replicas must have acknowledged a commit (Redis {@code WAIT}) before it counts as
     *     applied; 0 for none
     * @param waitTimeout how long one {@code WAIT} waits for them
     * @param allowRestoreBehindRedis start even when Redis has applied commits newer than the restored checkpoint
     *     (their views are then counted twice)
     */
    public record CommitRules(int maxPages, int maxPagesPerCheckpoint, int waitReplicas, Duration waitTimeout,
            boolean allowRestoreBehindRedis) implements Serializable {

        public static final CommitRules DEFAULTS = new CommitRules(100_000, 50_000, 0, Duration.ofSeconds(1), false);

        public CommitRules {
            if (maxPages < 1 || maxPagesPerCheckpoint < 1) {
                throw new IllegalArgumentException("maxPages and maxPagesPerCheckpoint must be at least 1");
            }
            if (waitReplicas < 0) {
                throw new IllegalArgumentException("waitReplicas must not be negative");
            }
            if (waitTimeout.isNegative() || waitTimeout.isZero()) {
                throw new IllegalArgumentException("waitTimeout must be longer than 0 (WAIT's 0 waits forever)");
            }
        }
    }

    public RedisSinkSettings(RedisUri redis, String hashKey, Duration markerTtl, Duration timeout, int maxFieldsPerCommit,
            StaleCommits staleCommits) {
        this(redis, hashKey, markerTtl, timeout, maxFieldsPerCommit, staleCommits, CommitRules.DEFAULTS);
    }

    /** The JVM's default CAs and no client certificate for TLS, sentinels without a password. */
    public RedisSinkSettings(RedisUri redis, String hashKey, Duration markerTtl, Duration timeout, int maxFieldsPerCommit,
            StaleCommits staleCommits, CommitRules commit) {
        this(redis, hashKey, markerTtl, timeout, maxFieldsPerCommit, staleCommits, commit, RedisTls.DEFAULTS,
                SentinelCredentials.NONE);
    }

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
        if (commit == null) {
            throw new IllegalArgumentException("commit rules must be set");
        }
        tls = tls == null ? RedisTls.DEFAULTS : tls;
        sentinelCredentials = sentinelCredentials == null ? SentinelCredentials.NONE : sentinelCredentials;
        stats = stats == null ? Stats.DEFAULTS : stats;
    }

    /** A copy with another choice for stale committables. */
    public RedisSinkSettings withStaleCommits(StaleCommits choice) {
        return new RedisSinkSettings(redis, hashKey, markerTtl, timeout, maxFieldsPerCommit, choice, commit, tls,
                sentinelCredentials, stats);
    }

    /** A copy with other commit rules. */
    public RedisSinkSettings with(CommitRules rules) {
        return new RedisSinkSettings(redis, hashKey, markerTtl, timeout, maxFieldsPerCommit, staleCommits, rules, tls,
                sentinelCredentials, stats);
    }

    /** A copy with other read-side writes. */
    public RedisSinkSettings with(Stats newStats) {
        return new RedisSinkSettings(redis, hashKey, markerTtl, timeout, maxFieldsPerCommit, staleCommits, commit, tls,
                sentinelCredentials, newStats);
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
        return taggedKey() + ":commit:" + id;
    }

    /**
     * The hash recording which job history last committed to the counts and the newest checkpoint of it that Redis
     * has applied ({@link Lineage}); in the hash key's slot, like the markers.
     */
    public String lineageKey() {
        return taggedKey() + ":lineage";
    }

    /** The commit record: sequence, watermark, time zone and retentions ({@code <tag>:meta}). */
    public String metaKey() {
        return taggedKey() + ":meta";
    }

    /** The prefix of every read-side key and of the channel commits are published on: the hash tag. */
    public String taggedKey() {
        int open = hashKey.indexOf('{');
        int close = open < 0 ? -1 : hashKey.indexOf('}', open + 1);
        boolean hasHashTag = open >= 0 && close > open + 1;
        return hasHashTag ? hashKey : "{" + hashKey + "}";
    }
}
