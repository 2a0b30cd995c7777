package dev.pageviews.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * A real Redis Cluster on loopback, started from Debian's {@code redis-server} in cluster mode and joined with
 * {@code redis-cli --cluster create}: {@code masters} masters, each with {@code replicasPerMaster} replicas, optionally
 * all TLS with client certificates ({@code tls-cluster yes}: the cluster bus too) and ACL users.
 *
 * <p>A failover test kills the master of a key ({@link #masterOf}, {@link RedisServer#kill()}), waits until one of
 * its replicas took its slots over ({@link #awaitPromotion}), and may bring the old master back, which rejoins as a
 * replica of the new one ({@link #restart}). {@link RedisServer#cutOff} makes a replica lag on purpose.
 */
public final class RedisCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisCluster.class);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

    private final Builder settings;
    private final List<RedisServer> nodes;

    private RedisCluster(Builder settings, List<RedisServer> nodes) {
        this.settings = settings;
        this.nodes = nodes;
    }

    /** {@code nodeCount} masters without replicas, plain text, no users. */
    public static RedisCluster start(Path workDir, int nodeCount) {
        return builder(workDir).masters(nodeCount).start();
    }

    public static Builder builder(Path workDir) {
        return new Builder(workDir);
    }

    /**
     * {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,...} ({@code rediss-cluster://} with TLS), the form the job's
     * {@code --redis} flag takes, without credentials.
     */
    public String uri() {
        return scheme() + "://" + nodeList();
    }

    /** {@link #uri()} with a user and password, percent-encoded. */
    public String uri(String user, String password) {
        return scheme() + "://" + RedisServer.userInfo(user, password) + nodeList();
    }

    private String scheme() {
        return settings.tls == null ? "redis-cluster" : "rediss-cluster";
    }

    private String nodeList() {
        return nodes.stream().map(n -> n.host() + ":" + n.port()).collect(Collectors.joining(","));
    }

    public Set<HostAndPort> endpoints() {
        Set<HostAndPort> endpoints = new LinkedHashSet<>();
        nodes.forEach(n -> endpoints.add(n.hostAndPort()));
        return endpoints;
    }

    /** Every node, masters and replicas, in start order (roles change with failovers: ask {@link #masterOf}). */
    public List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    /** How a client reaches the nodes as the admin, with TLS where they have it. */
    public JedisClientConfig clientConfig() {
        return RedisServer.clientConfig(settings.tls, settings.admin);
    }

    /** A cluster client as the admin; the caller closes it. */
    public RedisClusterClient client() {
        return RedisClusterClient.builder().nodes(endpoints()).clientConfig(clientConfig()).build();
    }

    /** The master that serves {@code key}'s slot now, as a live node's {@code CLUSTER NODES} says. */
    public RedisServer masterOf(String key) {
        int slot = JedisClusterCRC16.getSlot(key);
        for (NodeLine line : clusterNodes()) {
            if (line.isMaster() && !line.failed() && line.serves(slot)) {
                return node(line.port());
            }
        }
        throw new IllegalStateException("no master serves slot " + slot + " of key " + key + "; " + describe());
    }

    /** The replicas of {@code master} now. */
    public List<RedisServer> replicasOf(RedisServer master) {
        List<NodeLine> lines = clusterNodes();
        String masterId = lines.stream().filter(l -> l.port() == master.port()).findFirst().map(NodeLine::id)
                .orElseThrow(() -> new IllegalStateException(master + " is not in the cluster"));
        return lines.stream().filter(l -> masterId.equals(l.masterId())).map(l -> node(l.port())).toList();
    }

    /**
     * Waits until a replica of the killed {@code oldMaster} serves the slots it served and every running node says
     * {@code cluster_state:ok}; returns the new master.
     */
    public RedisServer awaitPromotion(RedisServer oldMaster, String key, Duration timeout) {
        long started = System.nanoTime();
        Poll.until("promotion of a replica in place of " + oldMaster, timeout, () -> {
            RedisServer master = masterOf(key);
            return master != oldMaster && master.isRunning() && allSayOk();
        }, this::describe);
        RedisServer promoted = masterOf(key);
        LOG.info("Cluster promoted {} in place of {} ({} ms)", promoted, oldMaster,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        return promoted;
    }

    /**
     * Starts a killed or stopped node again; it keeps its cluster identity (nodes.conf) and, if its slots were
     * taken over meanwhile, rejoins as a replica of their new master. Waits until it is in sync and the cluster ok.
     */
    public void restart(RedisServer node) {
        node.start();
        Poll.until(node + " rejoining the cluster", SETTLE_TIMEOUT, () -> {
            if (!allSayOk()) {
                return false;
            }
            try (Jedis jedis = node.client()) {
                String info = jedis.info("replication");
                return info.contains("role:master") || info.contains("master_link_status:up");
            }
        }, this::describe);
        LOG.info("{} rejoined the cluster", node);
    }

    /** Every node's view, for failure messages. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        for (RedisServer node : nodes) {
            out.append(node.port()).append(": ");
            if (!node.isRunning()) {
                out.append("down; ");
            } else if (node.isPaused()) {
                out.append("paused; ");
            } else {
                try (Jedis jedis = node.client()) {
                    out.append(jedis.clusterInfo().lines().filter(l -> l.startsWith("cluster_state")).findFirst().orElse("?"))
                            .append(", ").append(jedis.info("replication").lines().filter(l -> l.startsWith("role:"))
                                    .findFirst().orElse("?")).append("; ");
                } catch (RuntimeException e) {
                    out.append(e.getMessage()).append("; ");
                }
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::close);
    }

    private RedisServer node(int port) {
        return nodes.stream().filter(n -> n.port() == port).findFirst()
                .orElseThrow(() -> new IllegalStateException("no node of ours on port " + port));
    }

    /** {@code CLUSTER NODES} of the first running node that answers. */
    private List<NodeLine> clusterNodes() {
        RuntimeException last = null;
        for (RedisServer node : nodes) {
            if (!node.isRunning() || node.isPaused()) {
                continue;
            }
            try (Jedis jedis = node.client()) {
                return jedis.clusterNodes().lines().filter(l -> !l.isBlank()).map(NodeLine::parse).toList();
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no node of the cluster answers", last);
    }

    private boolean allSayOk() {
        for (RedisServer node : nodes) {
            if (!node.isRunning() || node.isPaused()) {
                continue;
            }
            try (Jedis jedis = node.client()) {
                if (!jedis.clusterInfo().contains("cluster_state:ok")) {
                    return false;
                }
            }
        }
        return true;
    }

    /** One line of {@code CLUSTER NODES}: {@code id ip:port@bus flags master-id ping pong epoch link slot...}. */
    private record NodeLine(String id, int port, Set<String> flags, String masterId, List<String> slots) {

        static NodeLine parse(String line) {
            String[] fields = line.trim().split(" ");
            String address = fields[1];
            int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1, address.indexOf('@')));
            return new NodeLine(fields[0], port, Set.of(fields[2].split(",")), fields[3],
                    List.of(fields).subList(Math.min(8, fields.length), fields.length));
        }

        boolean isMaster() {
            return flags.contains("master");
        }

        boolean failed() {
            return flags.contains("fail") || flags.contains("fail?");
        }

        boolean serves(int slot) {
            for (String range : slots) {
                if (range.startsWith("[")) {
                    continue; // a slot being migrated or imported
                }
                int dash = range.indexOf('-');
                int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
                int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1));
                if (slot >= from && slot <= to) {
                    return true;
                }
            }
            return false;
        }
    }

    private void create(Path workDir) {
        List<String> command = new ArrayList<>(List.of(redisCli().toString()));
        if (settings.tls != null) {
            TestCertificates tls = settings.tls;
            command.addAll(List.of("--tls", "--cacert", tls.caCertificate().toString(),
                    "--cert", tls.clientCertificate().toString(), "--key", tls.clientKey().toString()));
        }
        if (settings.admin != null) {
            command.addAll(List.of("--user", settings.admin.user()));
        }
        command.addAll(List.of("--cluster", "create"));
        nodes.forEach(n -> command.add(n.host() + ":" + n.port()));
        command.addAll(List.of("--cluster-replicas", Integer.toString(settings.replicasPerMaster), "--cluster-yes"));
        Path log = workDir.resolve("cluster-create.log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            if (settings.admin != null) {
                builder.environment().put("REDISCLI_AUTH", settings.admin.password()); // not on the command line
            }
            Process create = builder.start();
            if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
                create.destroyForcibly();
                throw new IllegalStateException("redis-cli --cluster create failed; see " + log + ":\n" + Files.readString(log));
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run redis-cli (apt-get install redis-tools): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the Redis cluster", e);
        }
        Poll.until("Redis cluster " + uri() + " reaching cluster_state:ok with every replica in sync", SETTLE_TIMEOUT,
                () -> allSayOk() && replicasInSync(), this::describe);
        LOG.info("Redis cluster ready at {} ({} masters, {} replicas each)", uri(), settings.masters, settings.replicasPerMaster);
    }

    /** Every replica in sync with its master, and every node's view of the cluster showing each replica's master. */
    private boolean replicasInSync() {
        int expected = settings.masters * settings.replicasPerMaster;
        for (RedisServer node : nodes) {
            try (Jedis jedis = node.client()) {
                long known = jedis.clusterNodes().lines().filter(l -> !l.isBlank()).map(NodeLine::parse)
                        .filter(l -> l.flags().contains("slave") && !l.masterId().equals("-")).count();
                if (known != expected) {
                    return false; // gossip has not told this node yet
                }
            }
        }
        int linked = 0;
        for (RedisServer node : nodes) {
            try (Jedis jedis = node.client()) {
                Map<String, String> info = jedis.info("replication").lines().filter(l -> l.contains(":"))
                        .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')), l -> l.substring(l.indexOf(':') + 1).trim(),
                                (a, b) -> b));
                if ("slave".equals(info.get("role")) && "up".equals(info.get("master_link_status"))) {
                    linked++;
                }
            }
        }
        return linked == expected;
    }

    private static Path redisCli() {
        Path cli = RedisServer.executable().resolveSibling("redis-cli");
        if (!Files.isExecutable(cli)) {
            throw new IllegalStateException("redis-cli not found next to " + RedisServer.executable() + ": apt-get install redis-tools");
        }
        return cli;
    }

    /** How to start a {@link RedisCluster}. */
    public static final class Builder {
        private final Path workDir;
        private int masters = 3;
        private int replicasPerMaster;
        private TestCertificates tls;
        private RedisServer.Credentials admin;
        private final List<String> users = new ArrayList<>();
        private Duration nodeTimeout = Duration.ofSeconds(2);

        private Builder(Path workDir) {
            this.workDir = workDir.toAbsolutePath();
        }

        public Builder masters(int masters) {
            this.masters = masters;
            return this;
        }

        public Builder replicasPerMaster(int replicas) {
            this.replicasPerMaster = replicas;
            return this;
        }

        /** TLS only, with client certificates, for clients, replication and the cluster bus. */
        public Builder tls(TestCertificates certificates) {
            this.tls = certificates;
            return this;
        }

        /** ACL users, the {@code default} user off; replicas and {@code redis-cli} authenticate as this one. */
        public Builder admin(String user, String password) {
            this.admin = new RedisServer.Credentials(user, password);
            return this;
        }

        /** A further ACL user, e.g. the job's. */
        public Builder user(String aclRule) {
            this.users.add(aclRule);
            return this;
        }

        /** How long a node may be unreachable before the others think it failed (2 s by default). */
        public Builder nodeTimeout(Duration nodeTimeout) {
            this.nodeTimeout = nodeTimeout;
            return this;
        }

        public RedisCluster start() {
            List<RedisServer> nodes = new ArrayList<>();
            try {
                for (int i = 0; i < masters * (1 + replicasPerMaster); i++) {
                    RedisServer.Builder node = RedisServer.builder(workDir.resolve("node-" + i))
                            .clusterNode(nodeTimeout);
                    if (tls != null) {
                        node.tls(tls);
                    }
                    if (admin != null) {
                        node.admin(admin.user(), admin.password());
                    }
                    users.forEach(node::user);
                    nodes.add(node.start());
                }
                RedisCluster cluster = new RedisCluster(this, nodes);
                cluster.create(workDir);
                return cluster;
            } catch (RuntimeException e) {
                nodes.forEach(RedisServer::close);
                throw e;
            }
        }
    }
}
