package dev.pageviews.read.query;

import dev.pageviews.read.store.Granularity;
import java.util.Arrays;
import java.util.Optional;

/** What results may be grouped by, by their names in Plausible's Stats API. */
public enum Dimension {
    PAGE("event:page", null),
    /** A time dimension whose size follows the date range (minutes for realtime and 30m, hours up to two days, days). */
    TIME("time", null),
    TIME_MINUTE("time:minute", Granularity.MINUTE),
    TIME_HOUR("time:hour", Granularity.HOUR),
    TIME_DAY("time:day", Granularity.DAY);

    private final String apiName;
    private final Granularity granularity;

    Dimension(String apiName, Granularity granularity) {
        this.apiName = apiName;
        this.granularity = granularity;
    }

    public String apiName() {
        return apiName;
    }

    public boolean isTime() {
        return this != PAGE;
    }

    /** The bucket size of a fixed time dimension; null for {@link #PAGE} and {@link #TIME}. */
    public Granularity granularity() {
        return granularity;
    }

    public static Optional<Dimension> of(String name) {
        return Arrays.stream(values()).filter(d -> d.apiName.equals(name)).findFirst();
    }
}
