package dev.pageviews.read.store;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What the job's last applied commit says ({@code K:meta}): its sequence number (commits applied so far), the newest
 * event-time watermark any applied commit had reached (buckets that end before it are final, save late views), Redis's
 * time when it was applied, the reporting time zone and the retentions. Before the first commit: sequence 0, UTC, the
 * job's default retentions.
 */
public record CommitRecord(long seq, OptionalLong watermarkMillis, OptionalLong committedAtMillis, ZoneId zone,
        Retention retention) {

    public static final CommitRecord NONE = new CommitRecord(0, OptionalLong.empty(), OptionalLong.empty(), ZoneOffset.UTC,
            Retention.DEFAULTS);

    /**
     * Reads the fields of {@code K:meta} (empty before the first commit).
     *
     * @throws StoreException when a field holds what the job never writes, naming key and field
     */
    public static CommitRecord of(String key, Map<String, String> fields) {
        if (fields == null || fields.isEmpty()) {
            return NONE;
        }
        long seq = number(key, fields, "seq", 0);
        long watermark = number(key, fields, "watermark", -1);
        long committedAt = number(key, fields, "committed_at", -1);
        ZoneId zone;
        try {
            zone = fields.containsKey("time_zone") ? ZoneId.of(fields.get("time_zone")) : ZoneOffset.UTC;
        } catch (DateTimeException e) {
            throw new StoreException("field time_zone of " + key + " holds '" + fields.get("time_zone") + "', not a time zone", e);
        }
        Retention defaults = Retention.DEFAULTS;
        Retention retention = new Retention(
                seconds(key, fields, "minute_retention", defaults.minute()),
                seconds(key, fields, "hour_retention", defaults.hour()),
                seconds(key, fields, "day_retention", defaults.day()),
                seconds(key, fields, "visitor_estimate_retention", defaults.visitorEstimate()));
        return new CommitRecord(seq, watermark < 0 ? OptionalLong.empty() : OptionalLong.of(watermark),
                committedAt < 0 ? OptionalLong.empty() : OptionalLong.of(committedAt), zone, retention);
    }

    /** Whether the job has reached {@code epochSecond} in event time: buckets ending by then are final. */
    public boolean finalUntil(long epochSecond) {
        return watermarkMillis.isPresent() && epochSecond * 1000 <= watermarkMillis.getAsLong();
    }

    private static long number(String key, Map<String, String> fields, String field, long absent) {
        String text = fields.get(field);
        if (text == null) {
            return absent;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new StoreException("field " + field + " of " + key + " holds '" + text + "', not a whole number", e);
        }
    }

    private static Duration seconds(String key, Map<String, String> fields, String field, Duration absent) {
        long value = number(key, fields, field, -1);
        return value < 0 ? absent : Duration.ofSeconds(value);
    }
}
