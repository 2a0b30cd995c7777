package dev.pageviews.edge.http;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/** Which browser origins may send events: any ({@code *}) or an exact list. */
public final class CorsPolicy {

    private final boolean anyOrigin;
    private final Set<String> origins;

    private CorsPolicy(boolean anyOrigin, Set<String> origins) {
        this.anyOrigin = anyOrigin;
        this.origins = origins;
    }

    /** {@code *}, or comma-separated origins such as {@code https://shop.example,https://blog.example}. */
    public static CorsPolicy parse(String setting) {
        Set<String> origins = Arrays.stream(setting.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(s -> s.endsWith("/") ? s.substring(0, s.length() - 1) : s)
                .collect(Collectors.toUnmodifiableSet());
        if (origins.contains("*")) {
            return new CorsPolicy(true, Set.of());
        }
        if (origins.isEmpty()) {
            throw new IllegalArgumentException("give * or at least one origin");
        }
        return new CorsPolicy(false, origins);
    }

    public boolean allows(String origin) {
        return anyOrigin || origins.contains(origin);
    }

    /**
     * The {@code Access-Control-Allow-Origin} value for an allowed origin: {@code *}, or the origin itself,
     * which is then one of the configured strings, never unchecked client text.
     */
    public String allowOriginValue(String origin) {
        return anyOrigin ? "*" : origin;
    }

    /** With a list, the answer depends on the request's Origin, so caches must key on it. */
    public boolean variesByOrigin() {
        return !anyOrigin;
    }
}
