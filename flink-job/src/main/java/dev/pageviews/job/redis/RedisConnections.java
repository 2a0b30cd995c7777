package dev.pageviews.job.redis;

import dev.pageviews.job.RedisUri;
import java.util.LinkedHashSet;
import java.util.Set;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;

/** Opens a pooled client for a standalone Redis or a Redis Cluster. */
final class RedisConnections {

    private RedisConnections() {}

    static UnifiedJedis open(RedisSinkSettings settings, String clientName) {
        RedisUri uri = settings.redis();
        int timeout = (int) settings.timeout().toMillis();
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeout)
                .socketTimeoutMillis(timeout)
                .ssl(uri.tls())
                .clientName(clientName);
        if (uri.password() != null) {
            config.user(uri.user()).password(uri.password());
        }
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(4);
        pool.setMaxIdle(4);
        // no test on borrow (a PING the job's Redis user would need the right for): a connection broken while Redis
        // was away fails its call, and the retry (Retrying) starts over with a new client
        if (uri.cluster()) {
            Set<HostAndPort> nodes = new LinkedHashSet<>();
            uri.endpoints().forEach(e -> nodes.add(new HostAndPort(e.host(), e.port())));
            return RedisClusterClient.builder().nodes(nodes).clientConfig(config.build()).poolConfig(pool).maxAttempts(3).build();
        }
        RedisUri.Endpoint endpoint = uri.endpoints().get(0);
        return RedisClient.builder()
                .hostAndPort(endpoint.host(), endpoint.port())
                .clientConfig(config.database(uri.database()).build())
                .poolConfig(pool)
                .build();
    }
}
