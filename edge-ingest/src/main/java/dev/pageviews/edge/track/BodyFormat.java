package dev.pageviews.edge.track;

import java.util.Locale;

/**
 * How an event body is written, from its {@code Content-Type}. {@code text/plain} is what
 * {@code navigator.sendBeacon} sends for a string, so it is read as JSON too.
 */
public enum BodyFormat {
    /** {@code application/json} or {@code text/plain}: one JSON object, or for a batch a JSON array. */
    JSON,
    /** {@code application/x-ndjson}: one JSON object per line; batches only. */
    NDJSON;

    public static final String ACCEPTED = "Content-Type must be application/json, text/plain (sendBeacon) "
            + "or, for batches, application/x-ndjson; the charset, if given, must be UTF-8";

    /** The format for a {@code Content-Type} header value, or {@code null} when it is not accepted. */
    public static BodyFormat of(String contentType) {
        if (contentType == null) {
            return null;
        }
        String[] parts = contentType.split(";");
        String media = parts[0].trim().toLowerCase(Locale.ROOT);
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].trim();
            int eq = param.indexOf('=');
            if (eq > 0 && param.substring(0, eq).trim().equalsIgnoreCase("charset")) {
                String charset = param.substring(eq + 1).trim().replace("\"", "");
                if (!charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8")) {
                    return null;
                }
            }
        }
        return switch (media) {
            case "application/json", "text/plain" -> JSON;
            case "application/x-ndjson" -> NDJSON;
            default -> null;
        };
    }
}
