package dev.pageviews.read.store;

/** The sizes of the job's view buckets: a UTC minute, a local hour of the reporting time zone, a local day. */
public enum Granularity {
    MINUTE, HOUR, DAY;

    /** Its name in {@code K:meta}'s retention fields ({@code minute_retention}) and in messages. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
