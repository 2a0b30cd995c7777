package dev.pageviews.job.redis;

import java.util.Map;

/**
 * Increments to apply to Redis once, after the checkpoint that produced them completes. {@code id} is
 * unique per committable and stays the same when a recovery commits it again, which is what makes the
 * commit idempotent. {@code createdAtMillis} (wall clock of the writer; 0 when unknown, for committables
 * of checkpoints written before it was recorded) tells whether the commit marker of an earlier attempt
 * may have expired, in which case applying it again could count it twice.
 *
 * <p>{@code lineage} and {@code checkpoint} say which job history the increments belong to and how far along it
 * they are ({@link Lineage}); the commit records both in Redis, so that a restore from a point behind them can be
 * refused. Empty and 0 for committables of checkpoints written before they were recorded.
 */
public record RedisCommittable(String id, long createdAtMillis, Map<String, Long> increments, String lineage, long checkpoint) {

    /** Creation time not recorded (a checkpoint of an older build). */
    public static final long UNKNOWN_CREATION_TIME = 0;
    /** Lineage not recorded (a checkpoint of an older build): the commit leaves Redis's lineage record alone. */
    public static final String UNKNOWN_LINEAGE = "";

    public RedisCommittable(String id, long createdAtMillis, Map<String, Long> increments) {
        this(id, createdAtMillis, increments, UNKNOWN_LINEAGE, 0);
    }

    public long totalViews() {
        long total = 0;
        for (long n : increments.values()) {
            total += n;
        }
        return total;
    }
}
