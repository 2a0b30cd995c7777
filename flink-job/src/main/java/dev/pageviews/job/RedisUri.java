package dev.pageviews.job;

import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Where Redis is: {@code redis://[user:password@]host:port[/db]}, {@code rediss://...} for TLS, or
 * {@code redis-cluster://[user:password@]host:port,host:port} for Redis Cluster.
 */
public record RedisUri(List<Endpoint> endpoints, boolean cluster, boolean tls, String user, String password, int database)
        implements Serializable {

    public record Endpoint(String host, int port) implements Serializable {}

    public static RedisUri parse(String text) {
        String hint = "; write redis://host:port, rediss://host:port or redis-cluster://host:port,host:port";
        int schemeEnd = text.indexOf("://");
        if (schemeEnd < 0) {
            throw new IllegalArgumentException("'" + safe(text) + "' has no scheme" + hint);
        }
        String scheme = text.substring(0, schemeEnd);
        boolean cluster = scheme.equals("redis-cluster");
        if (!cluster && !scheme.equals("redis") && !scheme.equals("rediss")) {
            throw new IllegalArgumentException("unknown scheme '" + scheme + "'" + hint);
        }
        String rest = text.substring(schemeEnd + 3);
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String credentials = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = credentials.indexOf(':');
            user = colon > 0 ? credentials.substring(0, colon) : null;
            password = colon >= 0 ? credentials.substring(colon + 1) : credentials;
        }
        int database = 0;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String db = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            if (!db.isEmpty()) {
                try {
                    database = Integer.parseInt(db);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("database '" + db + "' is not a number" + hint);
                }
            }
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (String hostPort : rest.split(",")) {
            URI uri = URI.create("redis://" + hostPort);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("'" + hostPort + "' is not host:port" + hint);
            }
            endpoints.add(new Endpoint(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()));
        }
        if (!cluster && endpoints.size() != 1) {
            throw new IllegalArgumentException("several hosts need the redis-cluster:// scheme" + hint);
        }
        return new RedisUri(List.copyOf(endpoints), cluster, scheme.equals("rediss"), user, password, database);
    }

    private static String safe(String text) {
        return text.replaceAll("[^@]*@", "***@");
    }

    @Override
    public String toString() {
        return (cluster ? "redis-cluster" : tls ? "rediss" : "redis") + "://" + endpoints.stream()
                .map(e -> e.host() + ":" + e.port()).reduce((a, b) -> a + "," + b).orElse("");
    }
}
