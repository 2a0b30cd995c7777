package dev.pageviews.edge;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A strict reader of the Prometheus text format (0.0.4), enough to check the edge writes it correctly. */
final class PrometheusText {

    private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*})? (\\S+)");

    private PrometheusText() {}

    /** Samples by {@code name{labels}}; throws on any line that breaks the format. */
    static Map<String, Double> parse(String text) {
        if (!text.endsWith("\n")) {
            throw new AssertionError("the exposition must end with a line feed");
        }
        Map<String, Double> samples = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        Set<String> helped = new HashSet<>();
        for (String line : text.split("\n")) {
            Matcher m;
            if ((m = HELP.matcher(line)).matches()) {
                if (!helped.add(m.group(1))) {
                    throw new AssertionError("HELP given twice for " + m.group(1));
                }
            } else if ((m = TYPE.matcher(line)).matches()) {
                if (types.put(m.group(1), m.group(2)) != null) {
                    throw new AssertionError("TYPE given twice for " + m.group(1));
                }
            } else if ((m = SAMPLE.matcher(line)).matches()) {
                String name = m.group(1);
                String family = types.containsKey(name) ? name : name.replaceAll("_(bucket|sum|count)$", "");
                if (!types.containsKey(family)) {
                    throw new AssertionError("sample before its TYPE: " + line);
                }
                String value = m.group(3);
                double parsed = value.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(value);
                String key = name + (m.group(2) == null ? "" : m.group(2));
                if (samples.put(key, parsed) != null) {
                    throw new AssertionError("sample given twice: " + key);
                }
            } else {
                throw new AssertionError("not a valid exposition line: '" + line + "'");
            }
        }
        return samples;
    }
}
