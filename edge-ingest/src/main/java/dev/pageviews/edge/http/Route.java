package dev.pageviews.edge.http;

import io.netty.handler.codec.http.HttpMethod;
import java.util.Set;

/** The edge's endpoints. Paths match exactly (after dropping the query string); nothing is normalised. */
public enum Route {
    TRACK(Paths.TRACK, Set.of(HttpMethod.POST, HttpMethod.OPTIONS), "POST, OPTIONS"),
    TRACK_BATCH(Paths.TRACK_BATCH, Set.of(HttpMethod.POST, HttpMethod.OPTIONS), "POST, OPTIONS"),
    HEALTHZ(Paths.HEALTHZ, Set.of(HttpMethod.GET), "GET"),
    READYZ(Paths.READYZ, Set.of(HttpMethod.GET), "GET"),
    METRICS(Paths.METRICS, Set.of(HttpMethod.GET), "GET"),
    /** The browser tracker script; its path is a setting ({@code --tracker-path}), so the {@link Router} matches it. */
    TRACKER(null, Set.of(HttpMethod.GET, HttpMethod.HEAD), "GET, HEAD"),
    /** Requests that match no route, or could not be parsed; one label keeps metrics bounded. */
    UNMATCHED(null, Set.of(), "");

    private final String path;
    private final Set<HttpMethod> methods;
    private final String allowHeader;

    Route(String path, Set<HttpMethod> methods, String allowHeader) {
        this.path = path;
        this.methods = methods;
        this.allowHeader = allowHeader;
    }

    public static Route match(String path) {
        for (Route route : values()) {
            if (route.path != null && route.path.equals(path)) {
                return route;
            }
        }
        return UNMATCHED;
    }

    public boolean allows(HttpMethod method) {
        return methods.contains(method);
    }

    /** The value of the {@code Allow} header sent with 405. */
    public String allowHeader() {
        return allowHeader;
    }

    public boolean isTrack() {
        return this == TRACK || this == TRACK_BATCH;
    }

    /** The metrics label: the route's path, never the client's. */
    public String label() {
        return this == TRACKER ? "tracker" : path == null ? "unmatched" : path;
    }
}
