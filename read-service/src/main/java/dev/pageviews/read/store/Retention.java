package dev.pageviews.read.store;

import java.time.Duration;

/**
 * How long the job keeps each kind of bucket after it ends ({@code K:meta}'s {@code *_retention} fields, in seconds).
 * A bucket is gone once its end plus its retention has passed.
 */
public record Retention(Duration minute, Duration hour, Duration day, Duration visitorEstimate) {

    /** The job's defaults ({@code --minute-retention 2d} and so on), until the job has written its own. */
    public static final Retention DEFAULTS = new Retention(Duration.ofDays(2), Duration.ofDays(90), Duration.ofDays(730),
            Duration.ofDays(90));

    public Duration of(Granularity granularity) {
        return switch (granularity) {
            case MINUTE -> minute;
            case HOUR -> hour;
            case DAY -> day;
        };
    }
}
