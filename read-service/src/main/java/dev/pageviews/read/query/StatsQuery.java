package dev.pageviews.read.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * A parsed, checked {@code POST /api/v2/query} body.
 *
 * @param filtersJson the filters as sent, echoed in the answer's {@code query}
 * @param orderBy the explicit {@code order_by}, or empty for Plausible's default (time ascending, then the first metric
 *     descending)
 * @param today the request's {@code date}: the day relative ranges count from, instead of today
 */
public record StatsQuery(String siteId, List<Metric> metrics, DateRangeSpec dateRange, List<Dimension> dimensions,
        Optional<PageFilter> filter, JsonNode filtersJson, List<Order> orderBy, Include include, int limit, int offset,
        Optional<LocalDate> today) {

    /** One {@code order_by} entry: a metric or dimension name, and its direction. */
    public record Order(String name, boolean descending) {}

    /** The {@code include} flags this data supports. */
    public record Include(boolean timeLabels, boolean totalRows, boolean imports) {}

    public Optional<Dimension> timeDimension() {
        return dimensions.stream().filter(Dimension::isTime).findFirst();
    }

    public boolean byPage() {
        return dimensions.contains(Dimension.PAGE);
    }
}
