package dev.pageviews.job.redis;

import java.util.Map;

/**
 * Increments to apply to Redis once, after the checkpoint that produced them completes. {@code id} is
 * unique per committable and stays the same when a recovery commits it again, which is what makes the
 * commit idempotent. {@code createdAtMillis} (wall clock of the writer; 0 when unknown, for committables
 * of checkpoints written before it was recorded) tells whether the commit marker of an earlier attempt
 * may have expired, in which case applying it again could count it twice.
 */
public record RedisCommittable(String id, long createdAtMillis, Map<String, Long> increments) {

    /** Creation time not recorded (a checkpoint of an older build). */
    public static final long UNKNOWN_CREATION_TIME = 0;

    public long totalViews() {
        long total = 0;
        for (long n : increments.values()) {
            total += n;
        }
        return total;
    }
}
