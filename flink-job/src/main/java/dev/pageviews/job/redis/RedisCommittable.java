package dev.pageviews.job.redis;

import java.util.Map;

/**
 * Increments to apply to Redis once, after the checkpoint that produced them completes. {@code id} is
 * unique per committable and stays the same when a recovery commits it again, which is what makes the
 * commit idempotent.
 */
public record RedisCommittable(String id, Map<String, Long> increments) {

    public long totalViews() {
        long total = 0;
        for (long n : increments.values()) {
            total += n;
        }
        return total;
    }
}
