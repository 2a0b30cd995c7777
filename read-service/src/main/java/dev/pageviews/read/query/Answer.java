package dev.pageviews.read.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pageviews.read.store.CommitRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * An answer in the shape of Plausible's Stats API v2: {@code results} (rows of {@code metrics} and {@code dimensions}),
 * {@code meta}, and {@code query} (the query as run: dates resolved, defaults filled in).
 */
public record Answer(CommitRecord commit, List<String> dimensionNames, List<String> metricNames, List<Row> rows,
        ObjectNode meta, ObjectNode query) {

    /** One result row; a metric is null where this data cannot tell (visitors of {@code (other)}). */
    public record Row(List<String> dimensions, List<Long> metrics) {}

    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode out = json.createObjectNode();
        ArrayNode results = out.putArray("results");
        for (Row row : rows) {
            ObjectNode r = results.addObject();
            ArrayNode metrics = r.putArray("metrics");
            row.metrics().forEach(value -> {
                if (value == null) {
                    metrics.addNull();
                } else {
                    metrics.add(value);
                }
            });
            ArrayNode dimensions = r.putArray("dimensions");
            row.dimensions().forEach(dimensions::add);
        }
        out.set("meta", meta);
        out.set("query", query);
        return out;
    }

    /** The rows as CSV (RFC 4180): a header of the dimension and metric names, then one line per row. */
    public String toCsv() {
        StringBuilder out = new StringBuilder();
        line(out, concat(dimensionNames, metricNames));
        for (Row row : rows) {
            List<String> cells = new java.util.ArrayList<>(row.dimensions());
            row.metrics().forEach(v -> cells.add(v == null ? "" : Long.toString(v)));
            line(out, cells);
        }
        return out.toString();
    }

    /**
     * The entity tag of an answer: the query as run (which holds the resolved dates, so "day" changes at midnight) and
     * the commit it reflects, and the format.
     */
    public static String etag(ObjectNode query, long seq, String format) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((seq + "\n" + format + "\n" + query).getBytes(StandardCharsets.UTF_8));
            return "\"" + seq + "-" + HexFormat.of().formatHex(sha.digest(), 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void line(StringBuilder out, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            if (i > 0) {
                out.append(',');
            }
            if (cell.indexOf(',') >= 0 || cell.indexOf('"') >= 0 || cell.indexOf('\n') >= 0 || cell.indexOf('\r') >= 0) {
                out.append('"').append(cell.replace("\"", "\"\"")).append('"');
            } else {
                out.append(cell);
            }
        }
        out.append("\r\n");
    }
}
