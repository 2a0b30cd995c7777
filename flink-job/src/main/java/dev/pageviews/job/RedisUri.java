package dev.pageviews.job;

import java.io.ByteArrayOutputStream;
import java.io.Serializable;
import java.net.URI;
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
 * percent-decoded, so a password may hold any character: {@code @ , : / % #} written as {@code %40 %2C %3A %2F %25 %23}.
 * Neither {@link #toString()} nor an error message shows the password.
 */
public record RedisUri(List<Endpoint> endpoints, Topology topology, boolean tls, String user, String password, int database,
        String masterName) implements Serializable {

    public record Endpoint(String host, int port) implements Serializable {
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
    }

    private static final String FORMS = "; write redis://[user:password@]host:port[/db], "
            + "redis-cluster://[user:password@]host:port,host:port,... or "
            + "redis-sentinel://[user:password@]host:port,host:port,...[/db]#masterName (rediss... for TLS), "
            + "with @ , : / % # in the user or password percent-encoded (%40 %2C %3A %2F %25 %23)";

    public RedisUri {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no host" + FORMS);
        }
        if (topology == Topology.SENTINEL && (masterName == null || masterName.isEmpty())) {
            throw new IllegalArgumentException("a Sentinel URI needs the primary's name after '#'" + FORMS);
        }
    }

    /** One server, as {@code redis://} and {@code rediss://} describe it. */
    public boolean cluster() {
        return topology == Topology.CLUSTER;
    }

    public boolean sentinel() {
        return topology == Topology.SENTINEL;
    }

    public String scheme() {
        return topology.scheme(tls);
    }

    public static RedisUri parse(String text) {
        int schemeEnd = text.indexOf("://");
        if (schemeEnd < 0) {
            throw new IllegalArgumentException("'" + withoutCredentials(text) + "' has no scheme" + FORMS);
        }
        String scheme = text.substring(0, schemeEnd);
        Topology topology = null;
        boolean tls = false;
        for (Topology candidate : Topology.values()) {
            if (scheme.equals(candidate.scheme(false)) || scheme.equals(candidate.scheme(true))) {
                topology = candidate;
                tls = scheme.equals(candidate.scheme(true));
            }
        }
        if (topology == null) {
            throw new IllegalArgumentException("unknown scheme '" + scheme + "'" + FORMS);
        }
        String rest = text.substring(schemeEnd + 3);
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@'); // the hosts hold none, so a password with a raw @ still ends here
        if (at >= 0) {
            String credentials = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = credentials.indexOf(':');
            user = colon > 0 ? decode(credentials.substring(0, colon), "user") : null;
            password = decode(colon >= 0 ? credentials.substring(colon + 1) : credentials, "password");
        }
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
                try {
                    database = Integer.parseInt(db);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("database '" + db + "' is not a number" + FORMS);
                }
                if (database < 0) {
                    throw new IllegalArgumentException("database " + database + " is negative" + FORMS);
                }
            }
        }
        if (topology == Topology.CLUSTER && database != 0) {
            throw new IllegalArgumentException("Redis Cluster has database 0 only, not " + database + FORMS);
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (String hostPort : rest.split(",", -1)) {
            URI uri;
            try {
                uri = URI.create("redis://" + hostPort);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + hostPort + "' is not host:port" + FORMS);
            }
            if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
                throw new IllegalArgumentException("'" + hostPort + "' is not host:port" + FORMS);
            }
            String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
            endpoints.add(new Endpoint(host, uri.getPort() < 0 ? topology.defaultPort : uri.getPort()));
        }
        if (topology == Topology.STANDALONE && endpoints.size() != 1) {
            throw new IllegalArgumentException("several hosts need the " + Topology.CLUSTER.scheme(tls) + ":// or "
                    + Topology.SENTINEL.scheme(tls) + ":// scheme" + FORMS);
        }
        if (topology == Topology.SENTINEL && masterName == null) {
            throw new IllegalArgumentException("a Sentinel URI needs the primary's name after '#', e.g. "
                    + Topology.SENTINEL.scheme(tls) + "://" + endpoints.get(0) + "#mymaster" + FORMS);
        }
        return new RedisUri(endpoints, topology, tls, user, password, database, masterName);
    }

    /** {@code text} with whatever comes before its last {@code @} after the scheme (the credentials) as {@code ***}. */
    public static String withoutCredentials(String text) {
        int start = text.indexOf("://");
        start = start < 0 ? 0 : start + 3;
        int at = text.lastIndexOf('@');
        return at < start ? text : text.substring(0, start) + "***" + text.substring(at);
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
