package dev.pageviews.read.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where Redis is, in the forms the job's {@code --redis} takes: {@code redis://[[user]:password@]host[:port][/db]}
 * (one server), {@code redis-cluster://...@host:port,host:port} (Redis Cluster, any of its nodes),
 * {@code redis-sentinel://...@host:port,host:port[/db]#primaryName} (the primary Sentinel names), each with
 * {@code rediss...} for TLS. User and password are percent-decoded (RFC 3986: {@code +} stays {@code +}).
 *
 * <p>Its own small parser rather than the job's {@code RedisUri}: the read service must not depend on the Flink job,
 * and moving that class to a shared module would change the job's code for a few lines of parsing. Each host is
 * read by {@link URI}, so IPv6 literals and ports follow the URI rules; nothing but the JDK is needed.
 * {@link #toString()} never shows the password.
 */
public record RedisAddress(Topology topology, boolean tls, List<HostPort> hosts, String user, String password, int database,
        String primaryName) {

    public enum Topology { STANDALONE, CLUSTER, SENTINEL }

    public record HostPort(String host, int port) {
        @Override
        public String toString() {
            return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    private static final String FORMS = "; write redis://[user:password@]host:port[/db], "
            + "redis-cluster://[user:password@]host:port,host:port,... or "
            + "redis-sentinel://[user:password@]host:port,...[/db]#primaryName (rediss... for TLS), with @ , : / % # in the "
            + "user or password percent-encoded (%40 %2C %3A %2F %25 %23)";

    public RedisAddress {
        hosts = List.copyOf(hosts);
    }

    public static RedisAddress parse(String text) {
        String trimmed = text.trim();
        int schemeEnd = trimmed.indexOf("://");
        if (schemeEnd < 0) {
            throw new IllegalArgumentException("'" + withoutCredentials(trimmed) + "' has no scheme" + FORMS);
        }
        String scheme = trimmed.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        boolean tls = scheme.startsWith("rediss");
        Topology topology = switch (tls ? scheme.replaceFirst("^rediss", "redis") : scheme) {
            case "redis" -> Topology.STANDALONE;
            case "redis-cluster" -> Topology.CLUSTER;
            case "redis-sentinel" -> Topology.SENTINEL;
            default -> throw new IllegalArgumentException("unknown scheme '" + scheme + "'" + FORMS);
        };
        String rest = trimmed.substring(schemeEnd + 3);
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@'); // hosts hold no @, so a password with a raw @ still ends at the last one
        if (at >= 0) {
            String credentials = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = credentials.indexOf(':');
            user = colon > 0 ? decode(credentials.substring(0, colon), "user") : null;
            password = decode(colon >= 0 ? credentials.substring(colon + 1) : credentials, "password");
        }
        String primary = null;
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            if (topology != Topology.SENTINEL) {
                throw new IllegalArgumentException("'#' names a Sentinel primary, but the scheme is " + scheme + FORMS);
            }
            primary = decode(rest.substring(hash + 1), "primary name");
            rest = rest.substring(0, hash);
        }
        int database = 0;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String db = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            if (!db.isEmpty()) {
                if (!db.matches("\\d{1,5}")) {
                    throw new IllegalArgumentException("database '" + db + "' is not a number" + FORMS);
                }
                database = Integer.parseInt(db);
            }
        }
        if (topology == Topology.CLUSTER && database != 0) {
            throw new IllegalArgumentException("Redis Cluster has database 0 only, not " + database + FORMS);
        }
        int defaultPort = topology == Topology.SENTINEL ? 26379 : 6379;
        List<HostPort> hosts = new ArrayList<>();
        for (String hostPort : rest.split(",", -1)) {
            hosts.add(hostPort(hostPort, defaultPort));
        }
        if (topology == Topology.STANDALONE && hosts.size() != 1) {
            throw new IllegalArgumentException("several hosts need redis-cluster:// or redis-sentinel://" + FORMS);
        }
        if (topology == Topology.SENTINEL && (primary == null || primary.isEmpty())) {
            throw new IllegalArgumentException("a Sentinel URI needs the primary's name after '#'" + FORMS);
        }
        return new RedisAddress(topology, tls, hosts, user, password, database, primary);
    }

    private static HostPort hostPort(String text, int defaultPort) {
        URI uri;
        try {
            uri = new URI("redis://" + text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not host:port" + FORMS);
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || !uri.getRawPath().isEmpty() || uri.getPort() == 0
                || uri.getPort() > 65_535) {
            throw new IllegalArgumentException("'" + text + "' is not host:port" + FORMS);
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        return new HostPort(host, uri.getPort() < 0 ? defaultPort : uri.getPort());
    }

    /** Percent-decoding as RFC 3986 has it; an error names the part, never its text (it may be a password). */
    private static String decode(String text, String what) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                continue;
            }
            int high = i + 2 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
            int low = i + 2 < text.length() ? Character.digit(text.charAt(i + 2), 16) : -1;
            if (high < 0 || low < 0) {
                throw new IllegalArgumentException("the " + what + " has a '%' not followed by two hex digits (character "
                        + (i + 1) + "); write a % in it as %25" + FORMS);
            }
            bytes.write(high * 16 + low);
            i += 2;
        }
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** {@code text} with what comes before its last {@code @} after the scheme shown as {@code ***}. */
    public static String withoutCredentials(String text) {
        int start = text.indexOf("://");
        start = start < 0 ? 0 : start + 3;
        int at = text.lastIndexOf('@');
        return at < start ? text : text.substring(0, start) + "***" + text.substring(at);
    }

    @Override
    public String toString() {
        String scheme = switch (topology) {
            case STANDALONE -> "redis";
            case CLUSTER -> "redis-cluster";
            case SENTINEL -> "redis-sentinel";
        };
        StringBuilder out = new StringBuilder(tls ? scheme.replaceFirst("^redis", "rediss") : scheme).append("://");
        for (int i = 0; i < hosts.size(); i++) {
            out.append(i == 0 ? "" : ",").append(hosts.get(i));
        }
        return out.append(database == 0 ? "" : "/" + database).append(primaryName == null ? "" : "#" + primaryName).toString();
    }
}
