package dev.pageviews.job.redis;

import dev.pageviews.settings.RedisTls;
import dev.pageviews.settings.RedisUri;
import dev.pageviews.settings.SentinelCredentials;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Opens a pooled client for the topology {@code --redis} names: a standalone Redis ({@link RedisClient}), the primary
 * that Sentinel names, followed through failovers ({@link RedisSentinelClient}), or a Redis Cluster
 * ({@link RedisClusterClient}); over TLS with the truststore and client keystore of {@link RedisTls} (Jedis's own
 * {@link SslOptions}), authenticated with the credentials of the URI (and, for the sentinels, their own).
 *
 * <p>A client is checked when opened, so a TLS setup that cannot work (a certificate the truststore does not trust, a
 * client certificate Redis wants and does not get or refuses) fails with a message naming the setting to fix, not
 * Jedis's "Failed to connect"; other failures to connect are left to the caller's retries.
 */
final class RedisConnections {

    private RedisConnections() {}

    static UnifiedJedis open(RedisSinkSettings settings, String clientName) {
        RedisUri uri = settings.redis();
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(4);
        pool.setMaxIdle(4);
        // no test on borrow (a PING the job's Redis user would need the right for): a connection broken while Redis
        // was away fails its call, and the retry (Retrying) starts over with a new client
        JedisClientConfig data = dataNodes(settings, clientName).build();
        try {
            return switch (uri.topology()) {
                case STANDALONE -> checked(RedisClient.builder()
                        .hostAndPort(uri.endpoints().get(0).host(), uri.endpoints().get(0).port())
                        .clientConfig(data).poolConfig(pool).build(), settings);
                case CLUSTER -> RedisClusterClient.builder() // connects to learn the slots: fails here if it cannot
                        .nodes(hostsAndPorts(uri)).clientConfig(data).poolConfig(pool).maxAttempts(3).build();
                case SENTINEL -> checked(sentinelClient(settings, data, pool), settings);
            };
        } catch (JedisException e) {
            throw explained(e, settings);
        }
    }

    private static RedisSentinelClient sentinelClient(RedisSinkSettings settings, JedisClientConfig data,
            ConnectionPoolConfig pool) {
        RedisUri uri = settings.redis();
        JedisClientConfig sentinels = sentinels(settings);
        try {
            return RedisSentinelClient.builder().masterName(uri.masterName()).sentinels(hostsAndPorts(uri))
                    .sentinelClientConfig(sentinels).clientConfig(data).poolConfig(pool).build();
        } catch (JedisException e) {
            // Jedis logs why each sentinel failed and throws "All sentinels down": ask one for the reason
            HostAndPort first = hostsAndPorts(uri).iterator().next();
            try (Jedis sentinel = new Jedis(first, sentinels)) {
                sentinel.ping();
            } catch (JedisException reason) {
                JedisConnectionException named = new JedisConnectionException(e.getMessage() + " (sentinel " + first + ": "
                        + reason.getMessage() + ")", reason);
                named.addSuppressed(e);
                throw named;
            }
            throw e;
        }
    }

    /**
     * Pings once: a TLS setup that cannot work fails here, named (the client is closed). Any other failure (Redis
     * down, a timeout) is left to the caller's first command, which retries it as it retries every Redis call.
     */
    private static <C extends UnifiedJedis> C checked(C client, RedisSinkSettings settings) {
        try {
            client.ping();
        } catch (JedisException e) {
            JedisException explained = explained(e, settings);
            if (explained != e) {
                try {
                    client.close();
                } catch (RuntimeException closing) {
                    explained.addSuppressed(closing);
                }
                throw explained;
            }
        }
        return client;
    }

    static DefaultJedisClientConfig.Builder dataNodes(RedisSinkSettings settings, String clientName) {
        RedisUri uri = settings.redis();
        int timeout = (int) settings.timeout().toMillis();
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeout)
                .socketTimeoutMillis(timeout)
                .clientName(clientName)
                .database(uri.database());
        if (uri.tls()) {
            config.sslOptions(sslOptions(settings.tls()));
        }
        if (uri.password() != null) {
            config.user(uri.user()).password(uri.password());
        }
        return config;
    }

    static JedisClientConfig sentinels(RedisSinkSettings settings) {
        int timeout = (int) settings.timeout().toMillis();
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeout)
                .socketTimeoutMillis(timeout)
                .serverDefaultProtocol(); // as Jedis's own default for sentinels: they speak RESP2 to it
        if (settings.redis().tls()) {
            config.sslOptions(sslOptions(settings.tls()));
        }
        SentinelCredentials credentials = settings.sentinelCredentials();
        if (credentials.password() != null) {
            config.user(credentials.user()).password(credentials.password());
        }
        return config.build();
    }

    /** Jedis's TLS options: the stores are read at each connect (so they must be there on every TaskManager). */
    static SslOptions sslOptions(RedisTls tls) {
        SslOptions.Builder options = SslOptions.builder()
                .sslVerifyMode(tls.verifyHostname() ? SslVerifyMode.FULL : SslVerifyMode.CA);
        try {
            if (tls.truststore() != null) {
                options.truststore(file(tls.truststore(), "--redis-tls-truststore"), chars(tls.truststorePassword()))
                        .trustStoreType(RedisTls.storeType(Path.of(tls.truststore())));
            }
            if (tls.keystore() != null) {
                options.keystore(file(tls.keystore(), "--redis-tls-keystore"), chars(tls.keystorePassword()))
                        .keyStoreType(RedisTls.storeType(Path.of(tls.keystore())));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the Redis TLS stores cannot be read on this TaskManager: " + e.getMessage(), e);
        }
        return options.build();
    }

    private static File file(String path, String setting) {
        File file = new File(path);
        if (!file.isFile() || !file.canRead()) {
            throw new IllegalArgumentException(setting + " (" + path + ") is not a readable file on this TaskManager ("
                    + hostName() + "); the job reads it where it connects to Redis: mount it at the same path on the "
                    + "JobManager and every TaskManager");
        }
        return file;
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "host unknown";
        }
    }

    private static char[] chars(String password) {
        return password == null ? null : password.toCharArray();
    }

    private static Set<HostAndPort> hostsAndPorts(RedisUri uri) {
        Set<HostAndPort> nodes = new LinkedHashSet<>();
        uri.endpoints().forEach(e -> nodes.add(new HostAndPort(e.host(), e.port())));
        return nodes;
    }

    /**
     * {@code e} again, or, when a TLS certificate is why it failed, a connection error that says which setting to
     * fix (still a {@link JedisException}: retried and then failing the job like any connection error); or, when a
     * cluster client may not read the slot map, the NOPERM that says which right to grant.
     */
    static JedisException explained(JedisException e, RedisSinkSettings settings) {
        String redis = settings.redis().toString();
        for (Throwable cause : RedisTls.causes(e)) {
            if (cause instanceof JedisAccessControlException
                    && String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT).contains("'cluster|slots'")) {
                JedisAccessControlException named = new JedisAccessControlException("NOPERM the Redis user in --redis ("
                        + redis + ") may not run CLUSTER SLOTS, which a Redis Cluster client needs to find the nodes and "
                        + "their slots: add +cluster|slots to its rights (flink-job README, 'The Redis user')");
                named.initCause(e);
                return named;
            }
        }
        String advice = settings.tls().diagnosis(e, redis, "the job");
        return advice == null ? e : new JedisConnectionException("TLS to Redis (" + redis + ") failed. " + advice, e);
    }
}
