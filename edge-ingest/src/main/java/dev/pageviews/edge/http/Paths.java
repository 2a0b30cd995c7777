package dev.pageviews.edge.http;

import java.util.Set;

/**
 * The fixed paths of the edge's endpoints, without Netty's types, so that the settings can check the tracker's path
 * against them where Netty is not on the classpath (the k8s manifest checks parse the edge's settings).
 */
public final class Paths {

    public static final String TRACK = "/api/v1/track";
    public static final String TRACK_BATCH = "/api/v1/track/batch";
    public static final String HEALTHZ = "/healthz";
    public static final String READYZ = "/readyz";
    public static final String METRICS = "/metrics";

    private static final Set<String> ALL = Set.of(TRACK, TRACK_BATCH, HEALTHZ, READYZ, METRICS);

    private Paths() {}

    /** True when {@code path} is one of the endpoints above. */
    public static boolean isEndpoint(String path) {
        return ALL.contains(path);
    }
}
