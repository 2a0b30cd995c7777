package dev.pageviews.settings;

import java.io.ByteArrayOutputStream;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where Redis is, in the forms Lettuce and redis-cli users know:
 * <ul>
 *   <li>{@code redis://[[user]:password@]host[:port][/db]}, {@code rediss://...} for TLS: one server;
 *   <li>{@code redis-cluster://[[user]:password@]host:port[,host:port...]}, {@code rediss-cluster://...}: Redis
 *       Cluster, from any of its nodes (the others are discovered);
 *   <li>{@code redis-sentinel://[[user]:password@]host[:port][,host[:port]...][/db]#masterName},
 *       {@code rediss-sentinel://...}: the primary that these sentinels name {@code masterName} (port 26379 by
 *       default), followed through failovers; with TLS to the sentinels and to the data nodes.
 * </ul>
 * The credentials are the data nodes' (a sentinel's own are separate settings). User and password are
 * percent-decoded as RFC 3986 has it, so a password may hold any character: {@code @ , : / % # ?} written as
 * {@code %40 %2C %3A %2F %25 %23 %3F}; {@code +} stays {@code +}.
 *
 * <p>The job's {@code --redis} and the read service's take the same forms, so both read them here, in the module
 * both already depend on: the read service must not depend on the Flink job. The mask ({@link #withoutCredentials})
 * and the parser split a text at the same places, so what the parser takes for the password is what the mask hides,
 * whatever characters it holds. Neither {@link #toString()} nor an error message shows the password.
 *
 * <p>Jedis 8 takes URIs too ({@code JedisURIHelper}), but only {@code redis://} and {@code rediss://} for one server:
 * it has no form for a cluster's seed nodes or for sentinels and a master name, and it is not on the classpath here.
 */
public record RedisUri(List<Endpoint> endpoints, Topology topology, boolean tls, String user, String password, int database,
        String masterName) implements Serializable {

    private static final long serialVersionUID = 1L;

    public record Endpoint(String host, int port) implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
            return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    /** How the servers are arranged, and so which client reaches them. */
    public enum Topology {
        STANDALONE("redis", 6379),
        CLUSTER("redis-cluster", 6379),
        SENTINEL("redis-sentinel", 26379);

        private final String scheme;
        private final int defaultPort;

        Topology(String scheme, int defaultPort) {
            this.scheme = scheme;
            this.defaultPort = defaultPort;
        }

        /** The scheme, {@code redis-cluster}, or with TLS {@code rediss-cluster}. */
        public String scheme(boolean tls) {
            return tls ? scheme.replaceFirst("^redis", "rediss") : scheme;
        }

        public int defaultPort() {
            return defaultPort;
        }
    }

    private static final String FORMS = "; write redis://[user:password@]host:port[/db], "
            + "redis-cluster://[user:password@]host:port,host:port,... or "
            + "redis-sentinel://[user:password@]host:port,host:port,...[/db]#masterName (rediss... for TLS), "
            + "with @ , : / % # ? in the user or password percent-encoded (%40 %2C %3A %2F %25 %23 %3F)";

    public RedisUri {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no host" + FORMS);
        }
        if (topology == Topology.SENTINEL && (masterName == null || masterName.isEmpty())) {
            throw new IllegalArgumentException("a Sentinel URI needs the primary's name after '#'" + FORMS);
        }
    }

    /** Redis Cluster, as {@code redis-cluster://} and {@code rediss-cluster://} describe it. */
    public boolean cluster() {
        return topology == Topology.CLUSTER;
    }

    public boolean sentinel() {
        return topology == Topology.SENTINEL;
    }

    public String scheme() {
        return topology.scheme(tls);
    }

    /**
     * A text cut where both {@link #parse} and {@link #withoutCredentials} cut it: a known scheme (or none), the
     * credentials (everything up to the last {@code @}: hosts, database and primary name hold none, so a password
     * with a raw {@code @} still ends there), and the rest.
     */
    private record Parts(Topology topology, boolean tls, String scheme, String credentials, String rest) {

        static Parts of(String text) {
            int schemeEnd = text.indexOf("://");
            String scheme = schemeEnd < 0 ? null : text.substring(0, schemeEnd);
            Topology topology = null;
            boolean tls = false;
            for (Topology candidate : Topology.values()) {
                if (candidate.scheme(false).equalsIgnoreCase(scheme) || candidate.scheme(true).equalsIgnoreCase(scheme)) {
                    topology = candidate;
                    tls = candidate.scheme(true).equalsIgnoreCase(scheme);
                }
            }
            // without a scheme the parser knows, the credentials may start anywhere: all before the last @ is theirs
            int start = topology == null ? 0 : schemeEnd + 3;
            int at = text.lastIndexOf('@');
            return at < start
                    ? new Parts(topology, tls, scheme, null, text.substring(start))
                    : new Parts(topology, tls, scheme, text.substring(start, at), text.substring(at + 1));
        }

        String masked() {
            String prefix = topology == null ? "" : scheme + "://";
            return prefix + (credentials == null ? "" : "***@") + rest;
        }
    }

    public static RedisUri parse(String text) {
        Parts parts = Parts.of(text.trim());
        if (parts.scheme() == null) {
            throw new IllegalArgumentException("'" + parts.masked() + "' has no scheme" + FORMS);
        }
        if (parts.topology() == null) {
            throw new IllegalArgumentException(parts.credentials() == null
                    ? "unknown scheme '" + parts.scheme() + "'" + FORMS
                    : "'" + parts.masked() + "' has an unknown scheme" + FORMS);
        }
        Topology topology = parts.topology();
        boolean tls = parts.tls();
        String scheme = topology.scheme(tls);
        String user = null;
        String password = null;
        if (parts.credentials() != null) {
            String credentials = parts.credentials();
            int colon = credentials.indexOf(':');
            user = colon > 0 ? decode(credentials.substring(0, colon), "user") : null;
            password = decode(colon >= 0 ? credentials.substring(colon + 1) : credentials, "password");
        }
        String rest = parts.rest();
        String masterName = null;
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            if (topology != Topology.SENTINEL) {
                throw new IllegalArgumentException("'#" + rest.substring(hash + 1) + "' names a Sentinel primary, but the scheme is "
                        + scheme + "; write " + Topology.SENTINEL.scheme(tls) + "://... for Sentinel" + FORMS);
            }
            masterName = decode(rest.substring(hash + 1), "primary name");
            rest = rest.substring(0, hash);
        }
        int database = 0;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String db = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            if (!db.isEmpty()) {
                if (!db.matches("\\d{1,9}")) {
                    throw new IllegalArgumentException("database '" + db + "' is not a number" + FORMS);
                }
                database = Integer.parseInt(db);
            }
        }
        if (topology == Topology.CLUSTER && database != 0) {
            throw new IllegalArgumentException("Redis Cluster has database 0 only, not " + database + FORMS);
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (String hostPort : rest.split(",", -1)) {
            endpoints.add(endpoint(hostPort, topology.defaultPort));
        }
        if (topology == Topology.STANDALONE && endpoints.size() != 1) {
            throw new IllegalArgumentException("several hosts need the " + Topology.CLUSTER.scheme(tls) + ":// or "
                    + Topology.SENTINEL.scheme(tls) + ":// scheme" + FORMS);
        }
        if (topology == Topology.SENTINEL && (masterName == null || masterName.isEmpty())) {
            throw new IllegalArgumentException("a Sentinel URI needs the primary's name after '#', e.g. "
                    + Topology.SENTINEL.scheme(tls) + "://" + endpoints.get(0) + "#mymaster" + FORMS);
        }
        return new RedisUri(endpoints, topology, tls, user, password, database, masterName);
    }

    /** One {@code host[:port]}, read by {@link URI} so that IPv6 literals and ports follow the URI rules. */
    private static Endpoint endpoint(String text, int defaultPort) {
        URI uri;
        try {
            uri = new URI("redis://" + text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not host:port" + FORMS);
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || !uri.getRawPath().isEmpty() || uri.getRawQuery() != null
                || uri.getRawFragment() != null || uri.getPort() == 0 || uri.getPort() > 65_535) {
            throw new IllegalArgumentException("'" + text + "' is not host:port" + FORMS);
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        return new Endpoint(host, uri.getPort() < 0 ? defaultPort : uri.getPort());
    }

    /**
     * {@code text} with its credentials as {@code ***}: for logs, the Flink web UI and messages, whether or not it
     * parses. Everything the parser would take for user and password (all before the last {@code @}, after a scheme
     * it knows) is hidden, whatever characters the password holds, raw or percent-encoded.
     */
    public static String withoutCredentials(String text) {
        return Parts.of(text).masked();
    }

    /**
     * Percent-decoding as RFC 3986 has it ({@code +} stays {@code +}, unlike a form's decoding). Errors say where
     * the bad {@code %} is, never the text around it.
     */
    private static String decode(String text, String what) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
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
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the " + what + " is not UTF-8 once percent-decoded" + FORMS);
        }
    }

    /** The URI without credentials: safe for logs and messages. */
    @Override
    public String toString() {
        return scheme() + "://" + endpoints.stream().map(Endpoint::toString).collect(Collectors.joining(","))
                + (database == 0 ? "" : "/" + database) + (masterName == null ? "" : "#" + masterName);
    }
}
