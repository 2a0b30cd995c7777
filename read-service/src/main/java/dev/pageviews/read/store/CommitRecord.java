package dev.pageviews.read.store;

import java.math.BigDecimal;
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

    /** The end of the year 9999 (epoch ms): a watermark beyond it is not an event time. */
    static final long LATEST_EVENT_TIME = 253_402_300_799_999L;

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
        // Flink's end-of-input watermark (Long.MAX_VALUE, which a stop with drain emits) is no event time: a record that
        // holds it cannot tell which buckets are final, so none is said to be
        boolean eventTime = watermark >= 0 && watermark <= LATEST_EVENT_TIME;
        return new CommitRecord(seq, eventTime ? OptionalLong.of(watermark) : OptionalLong.empty(),
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
            // Redis writes a Lua number beyond 2^53 with an exponent ("9.2233720368547758e+18"): still a whole number
            try {
                BigDecimal value = new BigDecimal(text.trim());
                if (value.signum() == 0 || value.stripTrailingZeros().scale() <= 0) {
                    return value.max(BigDecimal.valueOf(Long.MIN_VALUE)).min(BigDecimal.valueOf(Long.MAX_VALUE)).longValueExact();
                }
            } catch (NumberFormatException | ArithmeticException notANumber) {
                // not a number at all: the error below
            }
            throw new StoreException("field " + field + " of " + key + " holds '" + text + "', not a whole number", e);
        }
    }

    private static Duration seconds(String key, Map<String, String> fields, String field, Duration absent) {
        long value = number(key, fields, field, -1);
        return value < 0 ? absent : Duration.ofSeconds(value);
    }
}
