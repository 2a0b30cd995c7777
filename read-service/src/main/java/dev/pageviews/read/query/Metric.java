package dev.pageviews.read.query;

import java.util.Arrays;
import java.util.Optional;

/** The metrics this data holds, by their names in Plausible's Stats API. */
public enum Metric {
    /** Views counted in the time buckets: exact. */
    PAGEVIEWS("pageviews"),
    /** Distinct user ids: exact for one local day, a HyperLogLog estimate for several. */
    VISITORS("visitors");

    private final String apiName;

    Metric(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }

    public static Optional<Metric> of(String name) {
        return Arrays.stream(values()).filter(m -> m.apiName.equals(name)).findFirst();
    }
}
