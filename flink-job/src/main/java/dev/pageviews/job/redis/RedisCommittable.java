package dev.pageviews.job.redis;

import java.util.List;
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
 *
 * <p>For the read side: {@code watermark} (epoch ms, {@link #NO_WATERMARK} when none had passed), the views per page
 * and minute ({@code minutes}; each page is one of {@code increments}) and the first visits of a day
 * ({@code visitors}). Empty for committables of older builds.
 */
public record RedisCommittable(String id, long createdAtMillis, Map<String, Long> increments, String lineage, long checkpoint,
        long watermark, List<MinuteViews> minutes, List<FirstVisits> visitors) {

    /** Creation time not recorded (a checkpoint of an older build). */
    public static final long UNKNOWN_CREATION_TIME = 0;
    /** Lineage not recorded (a checkpoint of an older build): the commit leaves Redis's lineage record alone. */
    public static final String UNKNOWN_LINEAGE = "";
    public static final long NO_WATERMARK = -1;

    /** {@code views} of {@code page} in the UTC minute starting at {@code minute} (Unix seconds). */
    public record MinuteViews(String page, long minute, long views) {}

    /**
     * {@code users} seen for the first time on {@code page} ({@code null}: on the site) on the local {@code date}
     * of the reporting time zone.
     */
    public record FirstVisits(String page, String date, List<String> users) {}

    public RedisCommittable(String id, long createdAtMillis, Map<String, Long> increments, String lineage, long checkpoint) {
        this(id, createdAtMillis, increments, lineage, checkpoint, NO_WATERMARK, List.of(), List.of());
    }

    public RedisCommittable(String id, long createdAtMillis, Map<String, Long> increments) {
        this(id, createdAtMillis, increments, UNKNOWN_LINEAGE, 0);
    }

    /** A committable of a checkpoint without views: it only moves the commit record's watermark. */
    public static RedisCommittable watermarkOnly(String id, long createdAtMillis, String lineage, long checkpoint, long watermark) {
        return new RedisCommittable(id, createdAtMillis, Map.of(), lineage, checkpoint, watermark, List.of(), List.of());
    }

    public boolean watermarkOnly() {
        return increments.isEmpty() && minutes.isEmpty() && visitors.isEmpty() && watermark != NO_WATERMARK;
    }

    public long totalViews() {
        long total = 0;
        for (long n : increments.values()) {
            total += n;
        }
        return total;
    }
}
