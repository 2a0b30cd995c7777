package dev.pageviews.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * A real Redis Cluster on loopback: {@code nodes} masters (no replicas) started from Debian's
 * {@code redis-server} in cluster mode and joined with {@code redis-cli --cluster create}.
 */
public final class RedisCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisCluster.class);

    private final List<RedisServer> nodes;

    private RedisCluster(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    public static RedisCluster start(Path workDir, int nodeCount) {
        List<RedisServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < nodeCount; i++) {
                nodes.add(RedisServer.start(workDir.resolve("node-" + i), 0, RedisServer.Persistence.NONE,
                        List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000")));
            }
            RedisCluster cluster = new RedisCluster(nodes);
            cluster.create(workDir);
            return cluster;
        } catch (RuntimeException e) {
            nodes.forEach(RedisServer::close);
            throw e;
        }
    }

    /** {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,...}, the form the job's {@code --redis} flag takes. */
    public String uri() {
        return "redis-cluster://" + nodes.stream().map(n -> n.host() + ":" + n.port()).collect(Collectors.joining(","));
    }

    public Set<HostAndPort> endpoints() {
        Set<HostAndPort> endpoints = new LinkedHashSet<>();
        nodes.forEach(n -> endpoints.add(new HostAndPort(n.host(), n.port())));
        return endpoints;
    }

    private void create(Path workDir) {
        List<String> command = new ArrayList<>(List.of(redisCli().toString(), "--cluster", "create"));
        nodes.forEach(n -> command.add(n.host() + ":" + n.port()));
        command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Path log = workDir.resolve("cluster-create.log");
        try {
            Process create = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
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
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!allSayOk()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Redis cluster " + uri() + " did not reach cluster_state:ok within 30 s");
            }
            ServiceProcess.sleep(200);
        }
        LOG.info("Redis cluster ready at {}", uri());
    }

    private boolean allSayOk() {
        for (RedisServer node : nodes) {
            try (Jedis jedis = node.client()) {
                if (!jedis.clusterInfo().contains("cluster_state:ok")) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Path redisCli() {
        Path cli = RedisServer.executable().resolveSibling("redis-cli");
        if (!Files.isExecutable(cli)) {
            throw new IllegalStateException("redis-cli not found next to " + RedisServer.executable() + ": apt-get install redis-tools");
        }
        return cli;
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::close);
    }
}
