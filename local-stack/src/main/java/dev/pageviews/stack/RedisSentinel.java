package dev.pageviews.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;

/**
 * Redis with Sentinel on loopback, as operators run it: one primary, replicas, and sentinels ({@code redis-server
 * --sentinel}) that watch them and promote a replica when the primary is down for {@code down-after-milliseconds}
 * (1 s here). Optionally all TLS with client certificates, with ACL users on the data nodes (the sentinels and
 * replicas authenticate as the admin) and a password or user on the sentinels themselves.
 *
 * <p>A failover test kills the primary ({@link #killPrimary()}), waits for a replica's promotion
 * ({@link #awaitPromotion}), and may bring the old primary back, which the sentinels make a replica of the new one
 * ({@link #restart}). {@link RedisServer#cutOff} makes a replica lag on purpose.
 */
public final class RedisSentinel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisSentinel.class);
    public static final String DEFAULT_MASTER_NAME = "pageviews";
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

    private final Builder settings;
    private final List<RedisServer> nodes;
    private final List<Sentinel> sentinels = new ArrayList<>();

    private RedisSentinel(Builder settings, List<RedisServer> nodes) {
        this.settings = settings;
        this.nodes = nodes;
    }

    public static Builder builder(Path workDir) {
        return new Builder(workDir);
    }

    /** The name the sentinels know the primary by ({@code sentinel monitor <name> ...}). */
    public String masterName() {
        return settings.masterName;
    }

    /**
     * The job's {@code --redis} form: {@code redis-sentinel://127.0.0.1:p1,127.0.0.1:p2,...#name}
     * ({@code rediss-sentinel://} with TLS), without credentials.
     */
    public String uri() {
        return scheme() + "://" + sentinelList() + "#" + settings.masterName;
    }

    /** {@link #uri()} with the data nodes' user and password, percent-encoded. */
    public String uri(String user, String password) {
        return scheme() + "://" + RedisServer.userInfo(user, password) + sentinelList() + "#" + settings.masterName;
    }

    private String scheme() {
        return settings.tls == null ? "redis-sentinel" : "rediss-sentinel";
    }

    private String sentinelList() {
        return sentinels.stream().map(s -> "127.0.0.1:" + s.port).collect(Collectors.joining(","));
    }

    public List<HostAndPort> sentinelAddresses() {
        return sentinels.stream().map(s -> new HostAndPort("127.0.0.1", s.port)).toList();
    }

    /** The primary and the replicas, in start order (roles change with failovers: ask {@link #primary()}). */
    public List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    /** How a client reaches the sentinels: TLS with the test certificates, their password or user if they have one. */
    public JedisClientConfig sentinelClientConfig() {
        return RedisServer.clientConfigBuilder(settings.tls, settings.sentinelAuth)
                .serverDefaultProtocol() // RESP2, as Jedis's own sentinel connections speak it
                .build();
    }

    /** The primary as the first sentinel that answers names it. */
    public RedisServer primary() {
        RuntimeException last = null;
        for (Sentinel sentinel : sentinels) {
            try {
                return node(sentinel.primaryAddress());
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no sentinel names the primary of " + settings.masterName, last);
    }

    /** The running nodes that are not the primary. */
    public List<RedisServer> replicas() {
        RedisServer primary = primary();
        return nodes.stream().filter(n -> n != primary && n.isRunning()).toList();
    }

    /** Kills the current primary outright ({@code kill -9}) and returns it. */
    public RedisServer killPrimary() {
        RedisServer primary = primary();
        LOG.info("Killing the primary {} (kill -9)", primary);
        primary.kill();
        return primary;
    }

    /**
     * Waits until every sentinel names another node than {@code old} as the primary, and that node says it is one
     * ({@code role:master}); returns it.
     */
    public RedisServer awaitPromotion(RedisServer old, Duration timeout) {
        long started = System.nanoTime();
        Poll.until("promotion of a replica in place of " + old, timeout, () -> {
            for (Sentinel sentinel : sentinels) {
                HostAndPort named = sentinel.primaryAddress();
                if (named.getPort() == old.port()) {
                    return false;
                }
            }
            try (Jedis jedis = primary().client()) {
                return jedis.info("replication").contains("role:master");
            }
        }, this::describe);
        RedisServer promoted = primary();
        LOG.info("Sentinels promoted {} in place of {} ({} ms)", promoted, old, Duration.ofNanos(System.nanoTime() - started).toMillis());
        return promoted;
    }

    /**
     * Starts a killed or stopped node again on its port as a replica of the current primary, as a Sentinel
     * deployment's start script does (Sentinel would demote a node that comes back as a primary too, but only after
     * 10 to 20 s), and waits until it is in sync ({@code master_link_status:up}).
     */
    public void restart(RedisServer node) {
        node.startAsReplicaOf(primary().hostAndPort());
        Poll.until(node + " rejoining as a replica", SETTLE_TIMEOUT, () -> {
            try (Jedis jedis = node.client()) {
                String info = jedis.info("replication");
                return info.contains("role:slave") && info.contains("master_port:" + primary().port())
                        && info.contains("master_link_status:up");
            }
        }, this::describe);
        LOG.info("{} is a replica of {} again", node, primary());
    }

    @Override
    public void close() {
        sentinels.forEach(s -> s.process.close());
        nodes.forEach(RedisServer::close);
    }

    /** What the sentinels and nodes say now, for failure messages. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        for (Sentinel sentinel : sentinels) {
            try {
                out.append("sentinel ").append(sentinel.port).append(" names ").append(sentinel.primaryAddress()).append("; ");
            } catch (RuntimeException e) {
                out.append("sentinel ").append(sentinel.port).append(": ").append(e.getMessage()).append("; ");
            }
        }
        for (RedisServer node : nodes) {
            out.append(node.port()).append(node.isRunning() ? node.isPaused() ? " paused" : " " + role(node) : " down").append("; ");
        }
        return out.toString();
    }

    private static String role(RedisServer node) {
        try (Jedis jedis = node.client()) {
            return jedis.info("replication").lines().filter(l -> l.startsWith("role:")).findFirst().orElse("role:?");
        } catch (RuntimeException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    private RedisServer node(HostAndPort address) {
        return nodes.stream().filter(n -> n.port() == address.getPort()).findFirst()
                .orElseThrow(() -> new IllegalStateException("the sentinels name " + address + ", not one of our nodes"));
    }

    private void startSentinels(Path workDir) {
        for (int i = 0; i < settings.sentinels; i++) {
            Path dir = workDir.resolve("sentinel-" + i);
            int port = FreePorts.pick();
            Path config = dir.resolve("sentinel.conf");
            try {
                Files.createDirectories(dir);
                Files.writeString(config, sentinelConfig(dir, port)); // Sentinel rewrites it as it learns: one per sentinel
            } catch (IOException e) {
                throw new UncheckedIOException("could not write " + config, e);
            }
            ServiceProcess process = ServiceProcess.start("sentinel", List.of(RedisServer.executable().toString(),
                    config.toString(), "--sentinel"), dir, dir.resolve("sentinel.log"));
            Sentinel sentinel = new Sentinel(port, process, sentinelClientConfig());
            sentinels.add(sentinel);
            process.awaitReady(() -> {
                try {
                    sentinel.primaryAddress();
                    return true;
                } catch (RuntimeException notYet) {
                    return false;
                }
            }, Duration.ofSeconds(30));
        }
        // a failover needs sentinels that know each other (to vote) and the replicas (to promote one): they learn
        // both from the primary within seconds (hello messages every 2 s, INFO every 10 s)
        Poll.until("sentinels knowing each other and the " + settings.replicas + " replicas", SETTLE_TIMEOUT, () -> {
            for (Sentinel sentinel : sentinels) {
                Map<String, String> master = sentinel.master();
                if (Integer.parseInt(master.get("num-other-sentinels")) != settings.sentinels - 1
                        || Integer.parseInt(master.get("num-slaves")) != settings.replicas) {
                    return false;
                }
            }
            return true;
        }, this::describe);
        LOG.info("Redis Sentinel ready: primary {}, {} replicas, sentinels {} (quorum {})", nodes.get(0), settings.replicas,
                sentinelList(), settings.quorum);
    }

    private String sentinelConfig(Path dir, int port) {
        String name = settings.masterName;
        RedisServer primary = nodes.get(0);
        List<String> lines = new ArrayList<>(List.of(
                "bind 127.0.0.1",
                "daemonize no",
                "dir " + quoted(dir.toString()),
                "logfile \"\"",
                "sentinel monitor " + name + " " + primary.host() + " " + primary.port() + " " + settings.quorum,
                "sentinel down-after-milliseconds " + name + " " + settings.downAfter.toMillis(),
                "sentinel failover-timeout " + name + " " + settings.failoverTimeout.toMillis(),
                "sentinel parallel-syncs " + name + " 1"));
        if (settings.tls == null) {
            lines.add("port " + port);
        } else {
            TestCertificates tls = settings.tls;
            lines.addAll(List.of("port 0", "tls-port " + port,
                    "tls-cert-file " + quoted(tls.serverCertificate().toString()),
                    "tls-key-file " + quoted(tls.serverKey().toString()),
                    "tls-ca-cert-file " + quoted(tls.caCertificate().toString()),
                    "tls-auth-clients yes",
                    "tls-replication yes")); // to the data nodes and the other sentinels, with the server certificate
        }
        if (settings.admin != null) {
            lines.add("sentinel auth-user " + name + " " + settings.admin.user());
            lines.add("sentinel auth-pass " + name + " " + quoted(settings.admin.password()));
        }
        if (settings.sentinelAuth != null) {
            RedisServer.Credentials auth = settings.sentinelAuth;
            if (auth.user() == null || auth.user().equals("default")) {
                lines.add("requirepass " + quoted(auth.password()));
            } else {
                lines.add("user default off");
                lines.add("user " + auth.user() + " on " + quoted(">" + auth.password()) + " allchannels +@all");
                lines.add("sentinel sentinel-user " + auth.user());
            }
            lines.add("sentinel sentinel-pass " + quoted(auth.password())); // sentinels talk to each other
        }
        return String.join("\n", lines) + "\n";
    }

    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** One sentinel process and how to ask it. */
    private final class Sentinel {
        final int port;
        final ServiceProcess process;
        final JedisClientConfig config;

        Sentinel(int port, ServiceProcess process, JedisClientConfig config) {
            this.port = port;
            this.process = process;
            this.config = config;
        }

        HostAndPort primaryAddress() {
            try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", port), config)) {
                List<String> address = jedis.sentinelGetMasterAddrByName(settings.masterName);
                if (address == null || address.size() != 2) {
                    throw new IllegalStateException("sentinel " + port + " does not know " + settings.masterName);
                }
                return new HostAndPort(address.get(0), Integer.parseInt(address.get(1)));
            }
        }

        Map<String, String> master() {
            try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", port), config)) {
                return jedis.sentinelMaster(settings.masterName);
            }
        }
    }

    /** How to start a {@link RedisSentinel}. */
    public static final class Builder {
        private RedisServer.Persistence persistence = RedisServer.Persistence.NONE;
        private final Path workDir;
        private int replicas = 1;
        private int sentinels = 3;
        private int quorum = 2;
        private String masterName = DEFAULT_MASTER_NAME;
        private TestCertificates tls;
        private RedisServer.Credentials admin;
        private final List<String> users = new ArrayList<>();
        private RedisServer.Credentials sentinelAuth;
        private Duration downAfter = Duration.ofSeconds(1);
        private Duration failoverTimeout = Duration.ofSeconds(5);

        private Builder(Path workDir) {
            this.workDir = workDir.toAbsolutePath();
        }

        public Builder replicas(int replicas) {
            this.replicas = replicas;
            return this;
        }

        /** How many sentinels, and how many must agree that the primary is down before one fails over. */
        public Builder sentinels(int sentinels, int quorum) {
            this.sentinels = sentinels;
            this.quorum = quorum;
            return this;
        }

        public Builder masterName(String masterName) {
            this.masterName = Objects.requireNonNull(masterName);
            return this;
        }

        /** TLS only, with client certificates, for the data nodes, replication and the sentinels. */
        public Builder tls(TestCertificates certificates) {
            this.tls = certificates;
            return this;
        }

        /** ACL users on the data nodes, the {@code default} user off; sentinels and replicas authenticate as this one. */
        public Builder admin(String user, String password) {
            this.admin = new RedisServer.Credentials(user, password);
            return this;
        }

        /** A further ACL user on the data nodes, e.g. the job's. */
        public Builder user(String aclRule) {
            this.users.add(aclRule);
            return this;
        }

        /** Sentinels that want a password: {@code requirepass} when {@code user} is null, else an ACL user of their own. */
        public Builder sentinelAuth(String user, String password) {
            this.sentinelAuth = new RedisServer.Credentials(user == null ? "default" : user, password);
            return this;
        }

        /** How long the primary must be unreachable before a sentinel thinks it down (1 s by default). */
        /** How the data nodes persist (none by default; an fsynced AOF for runs that kill them). */
        public Builder persistence(RedisServer.Persistence persistence) {
            this.persistence = persistence;
            return this;
        }

        public Builder downAfter(Duration downAfter) {
            this.downAfter = downAfter;
            return this;
        }

        public RedisSentinel start() {
            if (quorum < 1 || quorum > sentinels) {
                throw new IllegalArgumentException("quorum " + quorum + " of " + sentinels + " sentinels");
            }
            List<RedisServer> nodes = new ArrayList<>();
            RedisSentinel started = null;
            try {
                for (int i = 0; i <= replicas; i++) {
                    RedisServer.Builder node = RedisServer.builder(workDir.resolve("node-" + i));
                    if (tls != null) {
                        node.tls(tls);
                    }
                    if (admin != null) {
                        node.admin(admin.user(), admin.password());
                    }
                    users.forEach(node::user);
                    node.persistence(persistence);
                    if (i > 0) {
                        node.replicaOf(nodes.get(0).hostAndPort());
                    }
                    nodes.add(node.start());
                }
                awaitReplicasInSync(nodes);
                started = new RedisSentinel(this, nodes);
                started.startSentinels(workDir);
                return started;
            } catch (RuntimeException e) {
                if (started != null) {
                    started.close();
                } else {
                    nodes.forEach(RedisServer::close);
                }
                throw e;
            }
        }

        private void awaitReplicasInSync(List<RedisServer> nodes) {
            Poll.until(replicas + " replicas in sync with the primary", SETTLE_TIMEOUT, () -> {
                try (Jedis jedis = nodes.get(0).client()) {
                    return jedis.info("replication").contains("connected_slaves:" + replicas);
                }
            }, null);
        }
    }
}
