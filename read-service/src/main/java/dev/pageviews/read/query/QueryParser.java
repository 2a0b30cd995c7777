package dev.pageviews.read.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a query body in the shape of Plausible's Stats API v2 and checks everything that does not need the data:
 * any JSON at all gets either a {@link StatsQuery} or a {@link QueryException} naming the parameter, never another
 * exception. Keys and values Plausible knows but this data cannot answer (other metrics, visit dimensions) are named
 * as such, so a Plausible client learns what to drop.
 */
public final class QueryParser {

    private static final Set<String> KEYS = Set.of("site_id", "metrics", "date_range", "dimensions", "filters", "order_by",
            "include", "pagination", "date");
    private static final Set<String> PLAUSIBLE_METRICS = Set.of("visits", "views_per_visit", "bounce_rate", "visit_duration",
            "events", "scroll_depth", "percentage", "conversion_rate", "group_conversion_rate", "average_revenue",
            "total_revenue", "time_on_page", "exit_rate");
    private static final int MAX_FILTER_DEPTH = 10;

    private final String siteId;
    private final int maxLimit;

    /**
     * @param siteId the only {@code site_id} answered ({@code --site-id})
     * @param maxLimit the largest {@code pagination.limit} ({@code --max-limit})
     */
    public QueryParser(String siteId, int maxLimit) {
        this.siteId = siteId;
        this.maxLimit = maxLimit;
    }

    public String siteId() {
        return siteId;
    }

    public StatsQuery parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new QueryException("", "the body must be a JSON object with site_id, metrics and date_range, e.g. "
                    + "{\"site_id\": \"" + siteId + "\", \"metrics\": [\"pageviews\"], \"date_range\": \"day\"}");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!KEYS.contains(name)) {
                throw new QueryException(name, "unknown parameter '" + name + "'; a query has " + String.join(", ",
                        List.of("site_id", "metrics", "date_range", "dimensions", "filters", "order_by", "include",
                                "pagination")));
            }
        }
        String site = siteId(body.get("site_id"));
        List<Metric> metrics = metrics(body.get("metrics"));
        DateRangeSpec range = dateRange(body.get("date_range"));
        List<Dimension> dimensions = dimensions(body.get("dimensions"));
        JsonNode filtersJson = body.has("filters") && !body.get("filters").isNull() ? body.get("filters")
                : JsonNodeFactory.instance.arrayNode();
        Optional<PageFilter> filter = filters(filtersJson);
        List<StatsQuery.Order> orderBy = orderBy(body.get("order_by"), metrics, dimensions);
        StatsQuery.Include include = include(body.get("include"), dimensions);
        int[] pagination = pagination(body.get("pagination"));
        Optional<LocalDate> today = date(body.get("date"));
        return new StatsQuery(site, metrics, range, dimensions, filter, filtersJson, orderBy, include, pagination[0],
                pagination[1], today);
    }

    private String siteId(JsonNode node) {
        if (node == null || node.isNull()) {
            throw new QueryException("site_id", "Missing site ID. Please provide the required site_id parameter with your "
                    + "request (this service answers site_id \"" + siteId + "\").");
        }
        if (!node.isTextual() || !node.textValue().equals(siteId)) {
            throw new QueryException("site_id", "this service answers site_id \"" + siteId + "\" only (its --site-id), not "
                    + shown(node));
        }
        return node.textValue();
    }

    private static List<Metric> metrics(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new QueryException("metrics", "a non-empty list of metrics is required, e.g. [\"pageviews\", \"visitors\"]");
        }
        List<Metric> metrics = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            String name = item.isTextual() ? item.textValue() : null;
            Optional<Metric> metric = Metric.of(name);
            if (metric.isEmpty()) {
                throw new QueryException("metrics/" + i, (name != null && PLAUSIBLE_METRICS.contains(name)
                        ? "metric '" + name + "' is not in this data"
                        : "unknown metric " + shown(item)) + "; this service answers pageviews and visitors");
            }
            if (metrics.contains(metric.get())) {
                throw new QueryException("metrics/" + i, "metric '" + name + "' is listed twice");
            }
            metrics.add(metric.get());
        }
        return List.copyOf(metrics);
    }

    static DateRangeSpec dateRange(JsonNode node) {
        String usage = "write day, 7d, 30d, month, year, all, 24h, 30m, realtime, or two ISO dates "
                + "[\"2024-01-01\", \"2024-01-31\"] or datetimes [\"2024-01-01T12:00:00+02:00\", \"2024-01-01T15:59:59+02:00\"]";
        if (node == null || node.isNull()) {
            throw new QueryException("date_range", "date_range is required; " + usage);
        }
        if (node.isTextual()) {
            String name = node.textValue();
            if (name.matches("day|month|year|all|24h|30m|realtime") || name.matches("[1-9]\\d{0,3}(d|mo)")) {
                return new DateRangeSpec.Named(name);
            }
            throw new QueryException("date_range", "unknown date range " + shown(node) + "; " + usage);
        }
        if (!node.isArray() || node.size() != 2 || !node.get(0).isTextual() || !node.get(1).isTextual()) {
            throw new QueryException("date_range", "invalid date range " + shown(node) + "; " + usage);
        }
        String first = node.get(0).textValue();
        String last = node.get(1).textValue();
        try {
            if (first.length() == 10 && last.length() == 10) {
                LocalDate from = LocalDate.parse(first);
                LocalDate to = LocalDate.parse(last);
                if (to.isBefore(from)) {
                    throw new QueryException("date_range", "the range ends (" + last + ") before it starts (" + first + ")");
                }
                return new DateRangeSpec.Dates(from, to);
            }
            OffsetDateTime from = OffsetDateTime.parse(first);
            OffsetDateTime to = OffsetDateTime.parse(last);
            if (from.getYear() < 1970 || to.getYear() > 9999) {
                throw new QueryException("date_range", "dates must be from 1970 to 9999");
            }
            if (to.isBefore(from)) {
                throw new QueryException("date_range", "the range ends (" + last + ") before it starts (" + first + ")");
            }
            return new DateRangeSpec.Instants(from, to);
        } catch (DateTimeParseException e) {
            throw new QueryException("date_range", "invalid date range " + shown(node) + ": both must be dates (2024-01-31) or "
                    + "both datetimes with an offset (2024-01-31T23:59:59+01:00 or ...Z)");
        }
    }

    private static List<Dimension> dimensions(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new QueryException("dimensions", "must be a list, e.g. [\"event:page\"] or [\"time:hour\"]");
        }
        List<Dimension> dimensions = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            Optional<Dimension> dimension = Dimension.of(item.isTextual() ? item.textValue() : null);
            if (dimension.isEmpty()) {
                throw new QueryException("dimensions/" + i, "dimension " + shown(item) + " is not in this data; it has "
                        + "event:page, time, time:minute, time:hour and time:day");
            }
            if (dimensions.contains(dimension.get())) {
                throw new QueryException("dimensions/" + i, "dimension " + shown(item) + " is listed twice");
            }
            if (dimension.get().isTime() && dimensions.stream().anyMatch(Dimension::isTime)) {
                throw new QueryException("dimensions/" + i, "at most one time dimension");
            }
            dimensions.add(dimension.get());
        }
        return List.copyOf(dimensions);
    }

    private static Optional<PageFilter> filters(JsonNode node) {
        if (!node.isArray()) {
            throw new QueryException("filters", "must be a list of filters, e.g. [[\"contains\", \"event:page\", [\"/blog\"]]]");
        }
        if (node.isEmpty()) {
            return Optional.empty();
        }
        List<PageFilter> all = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            all.add(filter(node.get(i), "filters/" + i, 0));
        }
        return Optional.of(all.size() == 1 ? all.get(0) : new PageFilter.All(List.copyOf(all)));
    }

    private static PageFilter filter(JsonNode node, String path, int depth) {
        String usage = "a filter is [operator, \"event:page\", [clauses...]] with operator is, is_not, contains or "
                + "contains_not, or [\"and\"|\"or\", [filters...]], or [\"not\", filter]";
        if (depth > MAX_FILTER_DEPTH) {
            throw new QueryException(path, "filters nest more than " + MAX_FILTER_DEPTH + " deep");
        }
        if (!node.isArray() || node.isEmpty() || !node.get(0).isTextual()) {
            throw new QueryException(path, "invalid filter " + shown(node) + "; " + usage);
        }
        String operator = node.get(0).textValue();
        switch (operator) {
            case "and", "or" -> {
                if (node.size() != 2 || !node.get(1).isArray() || node.get(1).isEmpty()) {
                    throw new QueryException(path, "invalid filter " + shown(node) + "; " + usage);
                }
                List<PageFilter> parts = new ArrayList<>();
                for (int i = 0; i < node.get(1).size(); i++) {
                    parts.add(filter(node.get(1).get(i), path + "/1/" + i, depth + 1));
                }
                return operator.equals("and") ? new PageFilter.All(List.copyOf(parts)) : new PageFilter.Any(List.copyOf(parts));
            }
            case "not" -> {
                if (node.size() != 2) {
                    throw new QueryException(path, "invalid filter " + shown(node) + "; " + usage);
                }
                return new PageFilter.Not(filter(node.get(1), path + "/1", depth + 1));
            }
            default -> {
                PageFilter.Operator op = null;
                for (PageFilter.Operator candidate : PageFilter.Operator.values()) {
                    if (candidate.apiName.equals(operator)) {
                        op = candidate;
                    }
                }
                if (op == null) {
                    throw new QueryException(path + "/0", "filter operator " + shown(node.get(0)) + " is not supported "
                            + "here; " + usage);
                }
                if (node.size() < 3 || node.size() > 4) {
                    throw new QueryException(path, "invalid filter " + shown(node) + "; " + usage);
                }
                if (!node.get(1).isTextual() || !node.get(1).textValue().equals("event:page")) {
                    throw new QueryException(path + "/1", "filters on " + shown(node.get(1)) + " are not possible: this "
                            + "data has page views by page only; filter on \"event:page\"");
                }
                JsonNode clauses = node.get(2);
                if (!clauses.isArray() || clauses.isEmpty()) {
                    throw new QueryException(path + "/2", "the clauses must be a non-empty list of strings, e.g. [\"/blog\"]");
                }
                List<String> values = new ArrayList<>();
                for (int i = 0; i < clauses.size(); i++) {
                    if (!clauses.get(i).isTextual()) {
                        throw new QueryException(path + "/2/" + i, "a clause must be a string, not " + shown(clauses.get(i)));
                    }
                    values.add(clauses.get(i).textValue());
                }
                boolean caseSensitive = true;
                if (node.size() == 4) {
                    JsonNode modifiers = node.get(3);
                    if (!modifiers.isObject()) {
                        throw new QueryException(path + "/3", "modifiers must be an object, e.g. {\"case_sensitive\": false}");
                    }
                    for (Iterator<Map.Entry<String, JsonNode>> it = modifiers.fields(); it.hasNext();) {
                        Map.Entry<String, JsonNode> modifier = it.next();
                        if (!modifier.getKey().equals("case_sensitive") || !modifier.getValue().isBoolean()) {
                            throw new QueryException(path + "/3", "the only modifier is {\"case_sensitive\": true|false}");
                        }
                        caseSensitive = modifier.getValue().booleanValue();
                    }
                }
                return new PageFilter.Match(op, List.copyOf(values), caseSensitive);
            }
        }
    }

    private static List<StatsQuery.Order> orderBy(JsonNode node, List<Metric> metrics, List<Dimension> dimensions) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new QueryException("order_by", "must be a list of [metric or dimension, \"asc\"|\"desc\"]");
        }
        List<StatsQuery.Order> orders = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode entry = node.get(i);
            if (!entry.isArray() || entry.size() != 2 || !entry.get(0).isTextual() || !entry.get(1).isTextual()
                    || !entry.get(1).textValue().matches("asc|desc")) {
                throw new QueryException("order_by/" + i, "invalid order_by entry " + shown(entry)
                        + "; write [metric or dimension, \"asc\"|\"desc\"]");
            }
            String name = entry.get(0).textValue();
            boolean queried = metrics.stream().anyMatch(m -> m.apiName().equals(name))
                    || dimensions.stream().anyMatch(d -> d.apiName().equals(name));
            if (!queried) {
                throw new QueryException("order_by/" + i, "invalid order_by entry " + shown(entry)
                        + ". Entry is not a queried metric or dimension.");
            }
            if (!seen.add(name)) {
                throw new QueryException("order_by/" + i, "'" + name + "' is ordered by twice");
            }
            orders.add(new StatsQuery.Order(name, entry.get(1).textValue().equals("desc")));
        }
        return List.copyOf(orders);
    }

    private static StatsQuery.Include include(JsonNode node, List<Dimension> dimensions) {
        if (node == null || node.isNull()) {
            return new StatsQuery.Include(false, false, false);
        }
        if (!node.isObject()) {
            throw new QueryException("include", "must be an object, e.g. {\"time_labels\": true}");
        }
        boolean timeLabels = false;
        boolean totalRows = false;
        boolean imports = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> flag = it.next();
            String key = flag.getKey();
            if (!key.matches("time_labels|total_rows|imports")) {
                throw new QueryException("include/" + key, "include." + key + " is not supported; this service knows "
                        + "time_labels, total_rows and imports");
            }
            if (!flag.getValue().isBoolean()) {
                throw new QueryException("include/" + key, "must be true or false, not " + shown(flag.getValue()));
            }
            boolean on = flag.getValue().booleanValue();
            switch (key) {
                case "time_labels" -> timeLabels = on;
                case "total_rows" -> totalRows = on;
                default -> imports = on;
            }
        }
        if (timeLabels && dimensions.stream().noneMatch(Dimension::isTime)) {
            throw new QueryException("include/time_labels", "time_labels needs a time dimension (time, time:minute, "
                    + "time:hour or time:day)");
        }
        return new StatsQuery.Include(timeLabels, totalRows, imports);
    }

    private int[] pagination(JsonNode node) {
        int limit = Math.min(10_000, maxLimit);
        int offset = 0;
        if (node == null || node.isNull()) {
            return new int[] {limit, offset};
        }
        if (!node.isObject()) {
            throw new QueryException("pagination", "must be an object, e.g. {\"limit\": 100, \"offset\": 0}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue();
            switch (field.getKey()) {
                case "limit" -> {
                    if (!value.canConvertToInt() || !value.isIntegralNumber() || value.intValue() < 1 || value.intValue() > maxLimit) {
                        throw new QueryException("pagination/limit", "must be a whole number from 1 to " + maxLimit
                                + " (--max-limit), not " + shown(value));
                    }
                    limit = value.intValue();
                }
                case "offset" -> {
                    if (!value.canConvertToInt() || !value.isIntegralNumber() || value.intValue() < 0) {
                        throw new QueryException("pagination/offset", "must be a whole number from 0, not " + shown(value));
                    }
                    offset = value.intValue();
                }
                default -> throw new QueryException("pagination/" + field.getKey(), "pagination has limit and offset only");
            }
        }
        return new int[] {limit, offset};
    }

    private static Optional<LocalDate> date(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        try {
            if (node.isTextual()) {
                return Optional.of(LocalDate.parse(node.textValue()));
            }
        } catch (DateTimeParseException e) {
            // answered below
        }
        throw new QueryException("date", "must be an ISO date such as \"2024-01-31\" (the day relative ranges count from)");
    }

    /** A value as the error shows it: JSON, cut to 80 characters (a client may send anything). */
    static String shown(JsonNode node) {
        String text = node == null ? "nothing" : node.toString();
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }
}
