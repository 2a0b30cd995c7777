package dev.pageviews.read.store;

import dev.pageviews.settings.RedisUri;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * A pooled client for the topology the address names: one server, a Redis Cluster (every key of the layout is in one
 * slot, so multi-key reads work), or the primary Sentinel names, followed through failovers. TLS ({@code rediss})
 * trusts the JVM's CAs ({@code javax.net.ssl.trustStore} to add a private one).
 */
public final class RedisConnections {

    private RedisConnections() {}

    /** @param connections the most connections the pool opens (queries, plus one for the commit subscription) */
    public static UnifiedJedis open(RedisUri address, Duration timeout, int connections, String clientName) {
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(connections);
        pool.setMaxIdle(connections);
        // a connection Redis closed (a restart, a failover) fails its call, which the query answers with 503; the
        // pool tests idle ones so that one failure does not repeat for every pooled connection
        pool.setTestWhileIdle(true);
        JedisClientConfig config = config(address, timeout, clientName);
        return switch (address.topology()) {
            case STANDALONE -> RedisClient.builder()
                    .hostAndPort(address.endpoints().get(0).host(), address.endpoints().get(0).port())
                    .clientConfig(config).poolConfig(pool).build();
            case CLUSTER -> RedisClusterClient.builder().nodes(hosts(address)).clientConfig(config).poolConfig(pool)
                    .maxAttempts(3).build();
            case SENTINEL -> RedisSentinelClient.builder().masterName(address.masterName()).sentinels(hosts(address))
                    .sentinelClientConfig(DefaultJedisClientConfig.builder().connectionTimeoutMillis(millis(timeout))
                            .socketTimeoutMillis(millis(timeout)).ssl(address.tls()).serverDefaultProtocol().build())
                    .clientConfig(config).poolConfig(pool).build();
        };
    }

    static JedisClientConfig config(RedisUri address, Duration timeout, String clientName) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis(timeout))
                .socketTimeoutMillis(millis(timeout))
                .clientName(clientName)
                .database(address.database())
                .ssl(address.tls());
        if (address.password() != null) {
            config.user(address.user()).password(address.password());
        }
        return config.build();
    }

    private static int millis(Duration timeout) {
        return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    private static Set<HostAndPort> hosts(RedisUri address) {
        Set<HostAndPort> hosts = new LinkedHashSet<>();
        address.endpoints().forEach(h -> hosts.add(new HostAndPort(h.host(), h.port())));
        return hosts;
    }
}
