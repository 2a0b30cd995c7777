package dev.pageviews.read.store;

import dev.pageviews.settings.RedisTls;
import dev.pageviews.settings.RedisUri;
import dev.pageviews.settings.SentinelCredentials;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
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
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A pooled client for the topology the address names: one server, a Redis Cluster (every key of the layout is in one
 * slot, so multi-key reads work), or the primary Sentinel names, followed through failovers. TLS ({@code rediss...})
 * to the data nodes and the sentinels with the truststore and client keystore of {@link RedisTls}, the job's settings
 * and checks (Jedis's own {@link SslOptions}, which reads the stores at each connect).
 *
 * <p>A standalone client connects at its first query, so a TLS setup that cannot work answers that query 503 with
 * {@link #why} (naming the setting to fix); cluster and Sentinel clients connect here to find the nodes and fail
 * here, named the same way, so the service does not start.
 */
public final class RedisConnections {

    /** Who connects, in the messages of {@link RedisTls#diagnosis}. */
    static final String CLIENT = "the read service";

    private RedisConnections() {}

    /**
     * @param sentinel what the sentinels want ({@code --redis-sentinel-*}), with a Sentinel {@code address}
     * @param connections the most connections the pool opens (queries, plus one for the commit subscription)
     */
    public static UnifiedJedis open(RedisUri address, RedisTls tls, SentinelCredentials sentinel, Duration timeout,
            int connections, String clientName) {
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(connections);
        pool.setMaxIdle(connections);
        // a connection Redis closed (a restart, a failover) fails its call, which the query answers with 503; the
        // pool tests idle ones so that one failure does not repeat for every pooled connection
        pool.setTestWhileIdle(true);
        JedisClientConfig config = config(address, tls, timeout, clientName);
        try {
            return switch (address.topology()) {
                case STANDALONE -> RedisClient.builder()
                        .hostAndPort(address.endpoints().get(0).host(), address.endpoints().get(0).port())
                        .clientConfig(config).poolConfig(pool).build();
                case CLUSTER -> RedisClusterClient.builder().nodes(hosts(address)).clientConfig(config).poolConfig(pool)
                        .maxAttempts(3).build();
                case SENTINEL -> RedisSentinelClient.builder().masterName(address.masterName()).sentinels(hosts(address))
                        .sentinelClientConfig(sentinels(address, tls, sentinel, timeout)).clientConfig(config)
                        .poolConfig(pool).build();
            };
        } catch (JedisException e) {
            String advice = tls.diagnosis(e, address.toString(), CLIENT);
            if (advice != null) {
                throw new JedisConnectionException("TLS to Redis (" + address + ") failed. " + advice, e);
            }
            String sentinels = address.sentinel() ? sentinelProblem(address, tls, sentinel, timeout) : null;
            if (sentinels != null) {
                throw new JedisConnectionException("No sentinel in --redis (" + address + ") named the primary "
                        + address.masterName() + ": " + sentinels, e);
            }
            throw e;
        }
    }

    /**
     * Why the sentinels gave no primary, when a sentinel says so: Jedis reports only "All sentinels down". Asks each
     * sentinel in turn, with the same credentials; null when none refused them (unreachable, or no such primary).
     */
    static String sentinelProblem(RedisUri address, RedisTls tls, SentinelCredentials sentinel, Duration timeout) {
        for (HostAndPort host : hosts(address)) {
            try (Jedis jedis = new Jedis(host, sentinels(address, tls, sentinel, timeout))) {
                jedis.ping();
            } catch (JedisDataException e) {
                String reply = String.valueOf(e.getMessage());
                if (reply.startsWith("NOAUTH")) {
                    return "the sentinels want a password of their own (" + reply + "), and --redis-sentinel-password "
                            + "(PAGEVIEWS_REDIS_SENTINEL_PASSWORD) is empty: set it to their requirepass, with "
                            + "--redis-sentinel-user if they want an ACL user";
                }
                if (reply.startsWith("WRONGPASS") || reply.contains("without any password configured")) {
                    return "the sentinel at " + host + " refused --redis-sentinel-user/--redis-sentinel-password ("
                            + reply + "): give the sentinels' own user and password (their requirepass, not the data "
                            + "nodes'), or leave --redis-sentinel-password empty if they want none";
                }
            } catch (JedisException unreachable) {
                // the next sentinel may answer; Jedis's own message covers them all being down
            }
        }
        return null;
    }

    /** Why a Redis call failed, for a 503 and the log: the TLS setting to fix when TLS is why, else Jedis's message. */
    public static String why(JedisException e, RedisUri address, RedisTls tls) {
        String advice = tls.diagnosis(e, address.toString(), CLIENT);
        return advice == null ? e.getMessage() : advice;
    }

    static JedisClientConfig config(RedisUri address, RedisTls tls, Duration timeout, String clientName) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis(timeout))
                .socketTimeoutMillis(millis(timeout))
                .clientName(clientName)
                .database(address.database());
        if (address.tls()) {
            config.sslOptions(sslOptions(tls));
        }
        if (address.password() != null) {
            config.user(address.user()).password(address.password());
        }
        return config.build();
    }

    private static JedisClientConfig sentinels(RedisUri address, RedisTls tls, SentinelCredentials sentinel, Duration timeout) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis(timeout))
                .socketTimeoutMillis(millis(timeout))
                .serverDefaultProtocol(); // as Jedis's own default for sentinels: they speak RESP2 to it
        if (address.tls()) {
            config.sslOptions(sslOptions(tls));
        }
        if (sentinel.password() != null) {
            config.user(sentinel.user()).password(sentinel.password());
        }
        return config.build();
    }

    /** Jedis's TLS options for {@code tls}: the stores are read at each connect, so a renewed file is used. */
    static SslOptions sslOptions(RedisTls tls) {
        SslOptions.Builder options = SslOptions.builder()
                .sslVerifyMode(tls.verifyHostname() ? SslVerifyMode.FULL : SslVerifyMode.CA);
        try {
            if (tls.truststore() != null) {
                options.truststore(new File(tls.truststore()), chars(tls.truststorePassword()))
                        .trustStoreType(RedisTls.storeType(Path.of(tls.truststore())));
            }
            if (tls.keystore() != null) {
                options.keystore(new File(tls.keystore()), chars(tls.keystorePassword()))
                        .keyStoreType(RedisTls.storeType(Path.of(tls.keystore())));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the Redis TLS stores (--redis-tls-truststore, --redis-tls-keystore) cannot "
                    + "be read: " + e.getMessage(), e);
        }
        return options.build();
    }

    private static char[] chars(String password) {
        return password == null ? null : password.toCharArray();
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
